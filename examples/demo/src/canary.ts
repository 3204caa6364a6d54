// Part 5: a canary ramp 1% -> 5% -> 25% -> 100% over real requests through the Express gateway,
// judged by core's rollout driver on the metrics the adapter recorded. Healthy: promoted. With a
// fault injected into the canary version (every third request answers 503): rolled back.
// The driver's clock is simulated (one second per request) so the ramp takes seconds, not hours.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createRolloutDriver, type RolloutDriver, type RolloutPlan } from '@splitlane/core/rollout'
import { startGateway, visit, type Version } from './gateway.js'
import { check, count, dim, heading, line, runConcurrently } from './report.js'

const SECOND = 1000
const CONCURRENCY = 8
const MAX_REQUESTS = 8000
const AFTERWARDS = 40

// v1 and v2 are the same local server answering in about 2 ms, where a busy machine alone can make one of them
// 60% slower for a minute: latency counts against the canary from twice the baseline's mean. The faulty canary
// is caught by its error rate.
const judge = { latency: { allowedIncrease: 2 } }

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'v2',
  baseline: 'v1',
  steps: [
    { setWeight: 1 },
    { analysis: { intervalMs: 30 * SECOND, minRequests: 10, judge } },
    { setWeight: 5 },
    { analysis: { intervalMs: 30 * SECOND, minRequests: 20, judge } },
    { setWeight: 25 },
    { analysis: { intervalMs: 30 * SECOND, minRequests: 40, judge } },
    // then 100%
  ],
}

const clock = (at: number) => `${String(Math.floor(at / 60_000)).padStart(2, '0')}:${String(Math.floor(at / 1000) % 60).padStart(2, '0')}`

async function ramp(
  stable: Version,
  canaryUrl: string,
  name: string,
): Promise<{ driver: RolloutDriver; servedAfter: Record<string, number> }> {
  const splitter = createSplitter({
    config: {
      version: 1,
      revision: `checkout-${name}`,
      experiments: {
        checkout: {
          variants: [
            { name: 'v1', weight: 100, value: stable.url },
            { name: 'v2', weight: 0, value: canaryUrl },
          ],
        },
      },
    },
  })
  const recorder = createMetricsRecorder()
  let now = 0
  let requests = 0
  const driver: RolloutDriver = createRolloutDriver({
    splitter,
    recorder,
    plan,
    now,
    minIntervalMs: 5 * SECOND, // ticks on every fifth request
    onTick: (tick) => {
      if (tick.decision.action === 'wait' || tick.decision.action === 'none') return
      const [first, ...rest] = tick.decision.explanation
      line(`${dim(`[${clock(now)}, request ${count(requests).padStart(5)}]`)} ${first}`)
      for (const detail of rest) line(`${' '.repeat(24)}${detail.trim()}`)
    },
  })
  // The gateway ticks the rollout on its own traffic; every request moves the simulated clock one second.
  const gateway = await startGateway({
    splitter,
    experiment: 'checkout',
    metrics: recorder,
    onRequest: () => {
      requests++
      now += SECOND
      driver.onTraffic(now)
    },
  })
  const served: Record<string, number> = {}
  const servedAfter: Record<string, number> = {}
  try {
    const progressing = () => driver.state.status === 'progressing'
    await runConcurrently(
      MAX_REQUESTS,
      CONCURRENCY,
      async (index) => {
        const response = await visit(gateway, { 'x-user-id': `${name}-user-${index}` })
        const key = response.status === 200 ? response.body.replace('Hello version: ', '') : `${response.status}`
        served[key] = (served[key] ?? 0) + 1
      },
      progressing,
    )
    line()
    line(
      `${count(requests)} requests: ${Object.entries(served)
        .map(([key, value]) => `${/^\d+$/.test(key) ? `status ${key}` : key} ${count(value)}`)
        .join(', ')}; rollout ${driver.state.status}`,
    )
    await runConcurrently(AFTERWARDS, CONCURRENCY, async (index) => {
      const response = await visit(gateway, { 'x-user-id': `${name}-after-${index}` })
      const key = response.status === 200 ? response.body.replace('Hello version: ', '') : `${response.status}`
      servedAfter[key] = (servedAfter[key] ?? 0) + 1
    })
  } finally {
    await gateway.close()
  }
  return { driver, servedAfter }
}

export async function runCanary(stable: Version, canaryUrl: string, faultyUrl: string): Promise<void> {
  heading(5, 'Canary ramp 1% -> 5% -> 25% -> 100% through the gateway, judged on the metrics it recorded')
  line(dim('the rollout driver ticks on the gateway traffic; its clock is simulated (1 s per request), requests and metrics are real'))
  line(dim('[mm:ss, request n] is that simulated clock. "next analysis in 30 s" is the earliest time: a run also waits until'))
  line(dim('the canary has served its minimum (10, 20, 40 requests), which at 1% takes about 15 simulated minutes'))
  line()
  line('a) a healthy v2:')
  line()
  const healthy = await ramp(stable, canaryUrl, 'healthy')
  check(healthy.driver.state.status === 'promoted', `the healthy canary was promoted (status ${healthy.driver.state.status})`)
  check(healthy.servedAfter['v2'] === AFTERWARDS, `after the promotion v2 served ${healthy.servedAfter['v2'] ?? 0}/${AFTERWARDS} new users`)

  line()
  line('b) v2 with a fault injected (every third request answers 503):')
  line()
  const failed = await ramp(stable, faultyUrl, 'faulty')
  check(
    failed.driver.state.status === 'rolled-back',
    `the faulty canary was rolled back automatically (status ${failed.driver.state.status})`,
  )
  check(failed.servedAfter['v1'] === AFTERWARDS, `after the rollback v1 served ${failed.servedAfter['v1'] ?? 0}/${AFTERWARDS} new users`)
}
