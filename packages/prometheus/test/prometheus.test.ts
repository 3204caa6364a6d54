// The fleet path end to end on the real thing: an Express instance with the OpenTelemetry Prometheus
// exporter serves real traffic, a real Prometheus scrapes it every second, the source reads each
// variant's series back, and the one verdict (`judgeAnalysisRun`) judges them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
// The CLI's source by path: @splitlane/cli depends on this package, so it cannot be a dependency here.
import { run } from '../../cli/src/program.js'
import { createSplitter } from '@splitlane/core'
import { judgeAnalysisRun } from '@splitlane/core/rollout'
import { createOtelInstrumentation } from '@splitlane/core/otel'
import { splitlane } from '@splitlane/express'
import { startPrometheus, type PrometheusHandle } from '@splitlane/test-utils/prometheus'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrometheusClient, createPrometheusSource, fleetGuardrail } from '../src/index.js'

const STEP_MS = 2000
const TRAFFIC_MS = 8000

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)))
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let instance: Server
let prometheus: PrometheusHandle
let trafficStart = 0
let trafficEnd = 0
let rulesDir = ''

beforeAll(async () => {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  const config = {
    version: 1 as const,
    revision: 'r7',
    experiments: {
      healthy: { variants: [{ name: 'stable' }, { name: 'canary' }] },
      failing: { variants: [{ name: 'stable' }, { name: 'canary' }] },
    },
  }
  const splitter = createSplitter({ config })
  const otel = createOtelInstrumentation({ meterProvider })
  const split = (experiment: string) =>
    splitlane({
      splitter,
      otel,
      experiments: [experiment],
      cookie: false,
      getKey: (req) => (typeof req.query.u === 'string' ? req.query.u : undefined),
    })
  const app = express()
  app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res))
  app.get('/healthy', split('healthy'), (_req, res) => {
    res.send('ok')
  })
  let served = 0
  // The failing canary answers 503 to 3 requests in 10.
  app.get('/failing', split('failing'), (req, res) => {
    res.status(req.splitlane?.failing?.variant === 'canary' && served++ % 10 < 3 ? 503 : 200).send('ok')
  })
  instance = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => instance.once('listening', resolve))
  const target = `127.0.0.1:${(instance.address() as AddressInfo).port}`
  // The rules `splitlane rules` writes for this config, evaluated by this Prometheus on live series.
  rulesDir = await mkdtemp(join(tmpdir(), 'splitlane-rules-'))
  await writeFile(join(rulesDir, 'config.json'), JSON.stringify(config))
  let stderr = ''
  const io = { out: () => {}, err: (text: string) => void (stderr += text), isTTY: false }
  const code = await run(['rules', '--config', join(rulesDir, 'config.json'), '--out', join(rulesDir, 'rules.yml')], io)
  if (code !== 0) throw new Error(`splitlane rules failed: ${stderr}`)
  prometheus = await startPrometheus({ targets: [target], ruleFiles: [join(rulesDir, 'rules.yml')] })
  // About 200 requests a second in bursts, for TRAFFIC_MS: enough per step, little CPU.
  trafficStart = Date.now()
  let key = 0
  while (Date.now() - trafficStart < TRAFFIC_MS) {
    await Promise.all(
      Array.from({ length: 20 }, () => {
        key++
        return fetch(`http://${target}/${key % 2 === 0 ? 'healthy' : 'failing'}?u=user-${key}`).then((response) => response.arrayBuffer())
      }),
    )
    await sleep(100)
  }
  trafficEnd = Date.now()
  await prometheus.waitForScrapes(2)
})

afterAll(async () => {
  await prometheus?.close()
  if (rulesDir) await rm(rulesDir, { recursive: true, force: true })
  if (instance) await close(instance)
})

describe('@splitlane/prometheus against a real Prometheus scraping a real instance', () => {
  const window = () => ({ start: trafficStart + STEP_MS, end: trafficEnd, stepMs: STEP_MS, variants: ['stable', 'canary'] })

  it('reads per-variant series and the revisions served, and passes a healthy canary', async () => {
    const source = createPrometheusSource({ url: prometheus.url })
    const fleet = await source.window({ experiment: 'healthy', ...window() })
    const canary = fleet.variants.canary!
    expect(canary.requests).toBeGreaterThan(100)
    expect(canary.errors).toBe(0)
    expect(canary.series['error-ratio']!.length).toBeGreaterThanOrEqual(3)
    expect(canary.series['latency-p99']!.every((point) => point.value > 0 && point.value <= 0.25)).toBe(true)
    expect(fleet.revisions).toEqual([{ revision: 'r7', instances: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)] }])
    const verdict = judgeAnalysisRun({
      experiment: 'healthy',
      canary: 'canary',
      baseline: 'stable',
      fleet,
      canaryWeight: 50,
      expectedRevision: 'r7',
      analysis: { minRequests: 50 },
    })
    expect(verdict.outcome, verdict.judge?.explanation.join('\n')).toBe('passed')
    expect(verdict.srm?.mismatch).toBe(false)
  })

  it('fails a canary answering 503 to 30% of requests, naming the metric', async () => {
    const source = createPrometheusSource({ url: prometheus.url })
    const fleet = await source.window({ experiment: 'failing', ...window() })
    const canary = fleet.variants.canary!
    expect(canary.errors / canary.requests).toBeGreaterThan(0.2)
    const verdict = judgeAnalysisRun({
      experiment: 'failing',
      canary: 'canary',
      baseline: 'stable',
      fleet,
      canaryWeight: 50,
      analysis: { minRequests: 50 },
    })
    expect(verdict.outcome).toBe('failed')
    expect(verdict.next).toBe('rollback')
    expect(verdict.reason).toContain('error-rate High')
  })

  it('is inconclusive when instances serve another revision than the controller expects', async () => {
    const fleet = await createPrometheusSource({ url: prometheus.url }).window({ experiment: 'healthy', ...window() })
    const verdict = judgeAnalysisRun({
      experiment: 'healthy',
      canary: 'canary',
      baseline: 'stable',
      fleet,
      canaryWeight: 50,
      expectedRevision: 'r8',
      analysis: { minRequests: 50 },
    })
    expect(verdict.outcome).toBe('inconclusive')
    expect(verdict.reason).toMatch(/^instances still serve other revisions than r8: r7 \(127\.0\.0\.1:\d+\)$/)
  })

  it('evaluates the recording rules of `splitlane rules` on the live series', async () => {
    const source = createPrometheusSource({ url: prometheus.url })
    const ratio = await source.client.query('splitlane:error_ratio:rate5m', Date.now())
    const byVariant = Object.fromEntries(
      ratio.map((series) => [`${series.labels.feature_flag_key}/${series.labels.feature_flag_result_variant}`, series.points[0]!.value]),
    )
    expect(byVariant['healthy/canary']).toBe(0)
    expect(byVariant['failing/stable']).toBe(0)
    expect(byVariant['failing/canary']).toBeGreaterThan(0.2)
    const p99 = await source.client.query('splitlane:request_duration_seconds:p99_5m{feature_flag_key="healthy"}', Date.now())
    expect(p99.map((series) => series.labels.feature_flag_result_variant).sort()).toEqual(['canary', 'stable'])
  })

  it("reads a canary's guardrail from the burn-rate alerts Prometheus evaluates (the dashboard's fleet view)", async () => {
    const client = createPrometheusClient({ url: prometheus.url })
    // Alerts are evaluated every second once the recording rules have two samples: wait for the first firing.
    let failing = await fleetGuardrail(client, 'failing', 'canary', Date.now())
    for (let tries = 0; tries < 40 && failing?.breached !== true; tries++) {
      await sleep(250)
      failing = await fleetGuardrail(client, 'failing', 'canary', Date.now())
    }
    // Both severities of the SRE workbook's table fire for 30% errors against a 99.9% objective (pages and tickets).
    expect(failing).toEqual({
      breached: true,
      explanation: [
        'SplitlaneErrorBudgetBurn firing for canary (severity page), evaluated by Prometheus',
        'SplitlaneErrorBudgetBurn firing for canary (severity ticket), evaluated by Prometheus',
      ],
    })
    expect(await fleetGuardrail(client, 'healthy', 'canary', Date.now())).toEqual({
      breached: false,
      explanation: ['no burn-rate alert of `splitlane rules` is pending or firing for canary, as Prometheus evaluates them'],
    })
    // No recorded series for the experiment: the rules are not loaded for it, so there is no state to show.
    expect(await fleetGuardrail(client, 'nobody-runs-this', 'canary', Date.now())).toBeNull()
  })

  it('fills user templates per metric and variant', async () => {
    const source = createPrometheusSource({
      url: prometheus.url,
      series: {
        'latency-p99': false,
        'latency-mean':
          'sum(rate(splitlane_request_duration_sum{feature_flag_key="{{experiment}}",feature_flag_result_variant="{{variant}}"}[{{window}}])) / sum(rate(splitlane_request_duration_count{feature_flag_key="{{experiment}}",feature_flag_result_variant="{{variant}}"}[{{window}}]))',
      },
    })
    const fleet = await source.window({ experiment: 'healthy', ...window(), revisions: false })
    expect(Object.keys(fleet.variants.stable!.series).sort()).toEqual(['error-ratio', 'latency-mean'])
    expect(fleet.variants.stable!.series['latency-mean']!.some((point) => point.value > 0)).toBe(true)
    expect(fleet.revisions).toBeUndefined()
    expect(source.queries({ experiment: 'healthy', variants: ['canary'], stepMs: STEP_MS })[0]).toBe(
      'sum(increase(splitlane_requests_total{feature_flag_key="healthy",feature_flag_result_variant="canary"}[2s]))',
    )
  })

  it('says no data (never a pass) when nothing matches, and names the query', async () => {
    const source = createPrometheusSource({ url: prometheus.url })
    await expect(source.window({ experiment: 'nobody-runs-this', ...window() })).rejects.toMatchObject({
      code: 'SPLITLANE_ERR_PROMETHEUS_NO_DATA',
      message: expect.stringContaining('feature_flag_key="nobody-runs-this"'),
    })
  })

  it('reports a bad query at once, without retrying', async () => {
    const source = createPrometheusSource({ url: prometheus.url, series: { broken: 'sum(rate(x[{{window}}]' } })
    await expect(source.window({ experiment: 'healthy', ...window() })).rejects.toMatchObject({
      code: 'SPLITLANE_ERR_PROMETHEUS_QUERY_FAILED',
      message: expect.stringMatching(/prometheus rejected the query sum\(rate\(x\[2s\]: HTTP 400 bad_data: .*parse error/),
    })
  })

  it('retries a failure that may pass: a proxy that answers 503 once, then forwards', async () => {
    let failed = 0
    const proxy = createServer((req, res) => {
      if (failed++ === 0) return res.writeHead(503).end('overloaded')
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        void fetch(`${prometheus.url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': String(req.headers['content-type']) },
          body: Buffer.concat(chunks),
        }).then(async (response) => res.writeHead(response.status, { 'content-type': 'application/json' }).end(await response.text()))
      })
    })
    const address = await listen(proxy)
    try {
      const source = createPrometheusSource({ url: `http://${address}`, retryDelayMs: 10 })
      const result = await source.client.query('vector(1)', Date.now())
      expect(result[0]!.points[0]!.value).toBe(1)
      expect(failed).toBe(2)
    } finally {
      await close(proxy)
    }
  })
})

describe('an unreachable Prometheus', () => {
  it('gives up after the retries with SPLITLANE_ERR_PROMETHEUS_UNREACHABLE, naming the server and the cause', async () => {
    const server = createServer()
    const address = await listen(server)
    await close(server) // nothing listens there now
    const source = createPrometheusSource({ url: `http://${address}`, retries: 1, retryDelayMs: 10 })
    await expect(source.client.query('vector(1)', Date.now())).rejects.toMatchObject({
      code: 'SPLITLANE_ERR_PROMETHEUS_UNREACHABLE',
      message: expect.stringContaining(`prometheus at http://${address}/ could not answer the query vector(1) after 2 attempt(s)`),
    })
  })

  it('times out a server that never answers', async () => {
    const server = createServer(() => {})
    const address = await listen(server)
    try {
      const source = createPrometheusSource({ url: `http://${address}`, timeoutMs: 200, retries: 0 })
      await expect(source.client.query('vector(1)', Date.now())).rejects.toMatchObject({
        code: 'SPLITLANE_ERR_PROMETHEUS_UNREACHABLE',
        message: expect.stringContaining('no answer within 200 ms'),
      })
    } finally {
      server.closeAllConnections()
      await close(server)
    }
  })

  it('rejects a template variable it does not know when the source is built', () => {
    expect(() => createPrometheusSource({ url: 'http://127.0.0.1:9', series: { x: 'rate(y{pod="{{pod}}"}[{{window}}])' } })).toThrow(
      /template x uses \{\{pod\}\}; the variables are \{\{experiment\}\}, \{\{variant\}\} and \{\{window\}\}/,
    )
  })
})
