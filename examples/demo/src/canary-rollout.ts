// pnpm --filter @splitlane/example-demo simulate, part 2: automated canary analysis. Simulated traffic runs through a real splitter and
// metrics recorder; a rollout plan ramps the canary 1% -> 5% -> 25% -> 100%, judging it against the
// stable version at each step. A healthy release is promoted; the same release with a fault injected
// (its error rate rises from 1% to 6%) is rolled back automatically. Time is simulated, so this runs
// in about a second and prints the same thing every time.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createRolloutDriver, type RolloutPlan, type RolloutTick } from '@splitlane/core/rollout'

const SECOND = 1000
const REQUESTS_PER_SECOND = 500

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'v2',
  baseline: 'v1',
  steps: [
    { setWeight: 1 },
    { analysis: { intervalMs: 60 * SECOND, minRequests: 200 } },
    { setWeight: 5 },
    { analysis: { intervalMs: 60 * SECOND, minRequests: 200 } },
    { setWeight: 25 },
    { analysis: { intervalMs: 60 * SECOND, minRequests: 200 } },
  ],
  guardrails: { availability: 0.99, alerts: [{ longWindowMs: 5 * 60 * SECOND, shortWindowMs: 60 * SECOND, factor: 10 }] },
}

/** A seeded generator (mulberry32), so every run is the same. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const clock = (ms: number) => `${String(Math.floor(ms / 60_000)).padStart(2, '0')}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`

function ramp(title: string, faultAt: number | null): RolloutTick['state'] {
  console.log(`\n${title}\n`)
  const random = seeded(42)
  const splitter = createSplitter({
    config: { version: 1, revision: 'checkout-v2', experiments: { checkout: { variants: [{ name: 'v1' }, { name: 'v2', weight: 0 }] } } },
  })
  const recorder = createMetricsRecorder()
  const driver = createRolloutDriver({
    splitter,
    recorder,
    plan,
    now: 0,
    minIntervalMs: 5 * SECOND,
    onTick: (tick) => {
      if (tick.decision.action === 'wait' || tick.decision.action === 'none') return
      const [first, ...rest] = tick.decision.explanation
      console.log(`   [${clock(tick.state.history.at(-1)!.at)}] ${first}`)
      for (const line of rest) console.log(`           ${line.trim()}`)
    },
  })
  if (faultAt !== null) console.log(`   (fault injected at ${clock(faultAt)}: v2's error rate rises from 1% to 6%)\n`)
  let user = 0
  for (let now = 0; now < 15 * 60 * SECOND && ['progressing', 'paused'].includes(driver.state.status); now += SECOND) {
    for (let i = 0; i < REQUESTS_PER_SECOND; i++) {
      const assignment = splitter.assign('checkout', { key: `user-${user++}` })
      const faulty = assignment.variant === 'v2' && faultAt !== null && now >= faultAt
      const latencyMs = Math.exp(3.6 + 0.35 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()))
      recorder.record(assignment, { status: random() < (faulty ? 0.06 : 0.01) ? 503 : 200, latencyMs })
      driver.onTraffic(now)
    }
  }
  const weights = splitter.config.experiments.checkout!.variants.map((variant) => `${variant.name} ${variant.weight / 10_000}%`).join(', ')
  console.log(`\n   -> ${driver.state.status}; the splitter now serves ${weights}`)
  return driver.state
}

export function runCanaryRollouts(): void {
  ramp('4. Automated canary analysis: a healthy v2 ramped 1% -> 5% -> 25% -> 100%', null)
  ramp('5. The same ramp with a fault injected into v2: rolled back automatically', 2.5 * 60 * SECOND)
}

runCanaryRollouts()
