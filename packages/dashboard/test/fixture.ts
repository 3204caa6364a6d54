// A demo-like service for the browser test and the screenshot script: a real Express app on
// 127.0.0.1 with a canary rollout (checkout: v1 -> v2) and an LLM split (assistant), the dashboard
// mounted at /splitlane, and a /work route whose outcomes go through dashboard.recorder.
import { createMetricsRecorder, createSplitter, murmur3 } from '@splitlane/core'
import { createRolloutDriver, type RolloutPlan } from '@splitlane/core/rollout'
import express from 'express'
import type { AddressInfo } from 'node:net'
import { createDashboard, type Dashboard } from '../src/index.js'
import { toNodeHandler } from '../src/node.js'

export const TOKEN = 'demo-token'

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'v2',
  baseline: 'v1',
  steps: [
    { setWeight: 20 },
    { analysis: { intervalMs: 200, minRequests: 20, count: 1 } },
    { setWeight: 50 },
    { pause: {} },
    { setWeight: 100 },
  ],
  guardrails: { availability: 0.95, minRequests: 10 },
}

export interface DemoService {
  url: string
  dashboard: Dashboard
  recorderRequests(experiment: string): Record<string, number>
  rolloutStatus(): string
  /** Sends `count` real requests to /work, spread over keys `prefix0..`. */
  traffic(count: number, prefix?: string): Promise<void>
  close(): Promise<void>
}

export async function startDemoService(options: { sampleMs?: number; refreshMs?: number } = {}): Promise<DemoService> {
  const splitter = createSplitter({
    config: {
      version: 1,
      revision: 'demo-1',
      experiments: {
        checkout: { variants: [{ name: 'v1' }, { name: 'v2', weight: 0 }] },
        assistant: {
          variants: [
            { name: 'small', value: 'model-small' },
            { name: 'large', value: 'model-large' },
          ],
        },
      },
    },
  })
  const recorder = createMetricsRecorder()
  // onTick runs only on later ticks, after `dashboard` exists
  const driver = createRolloutDriver({
    splitter,
    recorder,
    plan,
    now: Date.now(),
    minIntervalMs: 100,
    onTick: (tick) => dashboard.observe(tick),
  })
  const dashboard: Dashboard = createDashboard({
    splitter,
    recorder,
    rollout: { plan, driver },
    token: TOKEN,
    sampleMs: options.sampleMs ?? 300,
    refreshMs: options.refreshMs ?? 300,
  })
  // The dashboard keeps its own totals, so the test compares against a recorder nobody takes.
  const witness = createMetricsRecorder()

  const app = express()
  app.use(toNodeHandler(dashboard))
  app.get('/work', (req, res) => {
    const key = typeof req.query['user'] === 'string' ? req.query['user'] : ''
    const h = murmur3(key) / 2 ** 32
    const checkout = splitter.assign('checkout', { key })
    const outcome = { status: h < 0.02 ? 503 : 200, latencyMs: 20 + 60 * h }
    dashboard.recorder.record(checkout, outcome)
    witness.record(checkout, outcome)
    const assistant = splitter.assign('assistant', { key })
    const large = assistant.variant === 'large'
    const llm = {
      status: 200,
      latencyMs: (large ? 900 : 400) * (1 + h),
      ttfbMs: (large ? 300 : 120) * (1 + h),
      promptTokens: 200,
      completionTokens: large ? 400 : 250,
      cost: large ? 0.006 : 0.0009,
    }
    dashboard.recorder.record(assistant, llm)
    witness.record(assistant, llm)
    driver.onTraffic(Date.now())
    res.send(`${checkout.variant} ${assistant.variant}`)
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let sent = 0
  return {
    url,
    dashboard,
    rolloutStatus: () => driver.state.status,
    recorderRequests(experiment) {
      const stats = witness.snapshot().experiments[experiment] ?? {}
      return Object.fromEntries(Object.entries(stats).map(([name, variant]) => [name, variant.requests]))
    },
    async traffic(count, prefix = 'user-') {
      for (let i = 0; i < count; i += 10)
        await Promise.all(
          Array.from({ length: Math.min(10, count - i) }, () => fetch(`${url}/work?user=${prefix}${sent++}`).then((r) => r.text())),
        )
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
