// One instance of the fleet: an Express app whose split comes from the controller's /config
// (polled with an ETag) and whose per-variant metrics Prometheus scrapes at /metrics.
// PORT=3001 FAIL_RATIO=0.3 pnpm instance   (FAIL_RATIO: the canary answers 503 to that share)
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createSplitter } from '@splitlane/core'
import { createOtelInstrumentation } from '@splitlane/core/otel'
import { splitlane } from '@splitlane/express'
import { createUrlConfigSource } from '@splitlane/sources'
import express from 'express'

const port = Number(process.env.PORT ?? 3001)
const failRatio = Number(process.env.FAIL_RATIO ?? 0)
const controller = process.env.CONTROLLER ?? 'http://127.0.0.1:8080'

const exporter = new PrometheusExporter({ preventServerStart: true })
const otel = createOtelInstrumentation({ meterProvider: new MeterProvider({ readers: [exporter] }) })
// Until the controller answers, everyone gets stable.
const splitter = createSplitter({ config: { version: 1, experiments: { checkout: { variants: [{ name: 'stable' }] } } } })
createUrlConfigSource({
  url: `${controller}/config`,
  splitter,
  intervalMs: 1000,
  onUpdate: ({ revision }) => console.log(`instance :${port} now serves revision ${String(revision)}`),
})

const app = express()
app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res))
app.get(
  '/checkout',
  splitlane({ splitter, otel, cookie: false, getKey: (req) => (typeof req.query.u === 'string' ? req.query.u : undefined) }),
  (req, res) => {
    const canary = req.splitlane?.checkout?.variant === 'canary'
    res.status(canary && Math.random() < failRatio ? 503 : 200).send(canary ? 'new checkout' : 'checkout')
  },
)
app.listen(port, '127.0.0.1', () => console.log(`instance on http://127.0.0.1:${port}, polling ${controller}/config`))
