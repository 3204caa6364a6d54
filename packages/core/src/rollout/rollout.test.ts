import { describe, expect, it } from 'vitest'
import { gaussian, seeded } from '../../test/seeded.js'
import { createMetricsRecorder } from '../metrics/recorder.js'
import { createSplitter } from '../splitter.js'
import { createRolloutDriver } from './driver.js'
import { promoteRollout, resumeRollout, startRollout, tickRollout } from './plan.js'
import type { RolloutPlan, RolloutTick } from './types.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const T0 = 1_700_000_000_000

const plan: RolloutPlan = {
  experiment: 'release',
  canary: 'canary',
  baseline: 'stable',
  steps: [
    { setWeight: 1 },
    { analysis: { intervalMs: MINUTE, minRequests: 100 } },
    { setWeight: 5 },
    { analysis: { intervalMs: MINUTE, minRequests: 100 } },
    { setWeight: 25 },
    { analysis: { intervalMs: MINUTE, minRequests: 100 } },
  ],
}

/** 300 requests a second through a real splitter and recorder; the canary's error rate is the fault. */
function simulate(canaryErrorRate: number, seconds = 20 * 60) {
  const random = seeded(7)
  const splitter = createSplitter({
    config: {
      version: 1,
      revision: 'r1',
      experiments: {
        release: {
          variants: [
            { name: 'stable', weight: 1_000_000 },
            { name: 'canary', weight: 0 },
          ],
        },
      },
    },
  })
  const recorder = createMetricsRecorder()
  const ticks: RolloutTick[] = []
  const driver = createRolloutDriver({ splitter, recorder, plan, now: T0, minIntervalMs: 10 * SECOND, onTick: (tick) => ticks.push(tick) })
  for (let second = 0; second < seconds && ['progressing', 'paused'].includes(driver.state.status); second++) {
    const now = T0 + second * SECOND
    for (let i = 0; i < 300; i++) {
      const assignment = splitter.assign('release', { key: `user-${Math.floor(random() * 1e9)}` })
      const errorRate = assignment.variant === 'canary' ? canaryErrorRate : 0.01
      recorder.record(assignment, { status: random() < errorRate ? 503 : 200, latencyMs: Math.exp(3.5 + 0.4 * gaussian(random)) })
      driver.onTraffic(now)
    }
  }
  const changes = ticks.filter((tick) => tick.decision.action !== 'wait' && tick.decision.action !== 'none')
  return { driver, splitter, ticks, changes }
}

describe('a simulated rollout', () => {
  it('rolls a bad canary back at its first analysis, and says why', () => {
    const { driver, splitter, changes } = simulate(0.15)
    expect(changes.map((tick) => [tick.decision.action, tick.state.canaryWeight])).toEqual([
      ['set-weight', 1],
      ['rollback', 0],
    ])
    const rollback = changes[1]!
    expect(rollback.state.status).toBe('rolled-back')
    expect(rollback.state.reason).toMatch(
      /^step 2\/6: 1 failed analysis run\(s\), more than the limit of 0: judge Fail \(critical failure: error-rate High/,
    )
    expect(rollback.decision.explanation[0]).toMatch(/^step 2\/6: analysis run 1 failed: judge Fail/)
    expect(
      rollback.decision.explanation.some((line) => /^ {2}error-rate: High \(CRITICAL\): higher: \d+\/\d+ \([\d.]+%\) vs/.test(line)),
    ).toBe(true)
    expect(rollback.decision.judge!.metrics[0]!.effectSize).toBeGreaterThan(5)
    expect(rollback.weights).toEqual({ stable: 1_000_000, canary: 0 })
    expect(splitter.config.experiments.release!.variants.map((variant) => variant.weight)).toEqual([1_000_000, 0])
    expect(driver.state.history.map((event) => event.action)).toEqual(['start', 'set-weight', 'analysis', 'rollback'])
  })

  it('takes a good canary through 1 -> 5 -> 25 -> 100, each step explained', () => {
    const { driver, splitter, changes } = simulate(0.01)
    expect(changes.map((tick) => [tick.decision.action, tick.state.canaryWeight])).toEqual([
      ['set-weight', 1],
      ['set-weight', 5],
      ['set-weight', 25],
      ['promote', 100],
    ])
    for (const tick of changes.slice(1))
      expect(tick.decision.explanation[0]).toMatch(/^step \d\/6: analysis run 1 passed: judge Pass \(score 100 >= pass 95\)$/)
    expect(changes[1]!.decision.explanation).toContain('canary weight 1% -> 5%: step 3/6 setWeight 5')
    expect(changes[3]!.decision.explanation).toContain('promoted: canary weight 100%: every step completed')
    expect(driver.state.status).toBe('promoted')
    expect(splitter.config.experiments.release!.variants.map((variant) => variant.weight)).toEqual([0, 1_000_000])
    expect(JSON.parse(JSON.stringify(driver.state))).toEqual(driver.state)
  })
})

describe('tickRollout', () => {
  const empty = { experiments: {} }

  it('bounds how fast the weight rises, up to the final 100%, and never bounds a decrease', () => {
    const bounded: RolloutPlan = { ...plan, steps: [{ setWeight: 20 }, { setWeight: 10 }], maxWeightChangePerMinute: 10 }
    let tick = tickRollout(bounded, startRollout(bounded, T0), T0, empty)
    expect(tick.state.canaryWeight).toBe(0)
    expect(tick.decision.explanation[0]).toBe('step 1/2: holding 0% on the way to 20%: at most 10 points per minute')
    tick = tickRollout(bounded, tick.state, T0 + 30 * SECOND, empty)
    expect([tick.state.canaryWeight, tick.changed, tick.weights.canary]).toEqual([5, true, 50_000])
    expect(tick.decision.explanation).toEqual(['canary weight 0% -> 5%: step 1/2 towards 20%, at most 10 points per minute'])
    // 20% is reached at once, the step down to 10% is immediate, and the rise to 100% is bounded again.
    tick = tickRollout(bounded, tick.state, T0 + 3 * MINUTE, empty)
    expect(tick.state.canaryWeight).toBe(10)
    expect(tick.decision.explanation).toEqual([
      'canary weight 5% -> 20%: step 1/2 setWeight 20',
      'canary weight 20% -> 10%: step 2/2 setWeight 10',
      'after the last step: holding 10% on the way to 100%: at most 10 points per minute',
    ])
    tick = tickRollout(bounded, tick.state, T0 + 7 * MINUTE, empty)
    expect(tick.state.canaryWeight).toBe(50)
    tick = tickRollout(bounded, tick.state, T0 + 12 * MINUTE, empty)
    expect([tick.state.canaryWeight, tick.state.status]).toEqual([100, 'promoted'])
    expect(tick.state.history.map((event) => event.action)).toEqual([
      'start',
      'set-weight',
      'set-weight',
      'set-weight',
      'set-weight',
      'promote',
    ])
  })

  it('pauses for a duration, or until resume() or promote()', () => {
    const paused: RolloutPlan = {
      ...plan,
      steps: [{ setWeight: 10 }, { pause: { durationMs: MINUTE } }, { setWeight: 50 }, { pause: {} }, { setWeight: 80 }],
    }
    let tick = tickRollout(paused, startRollout(paused, T0), T0, empty)
    expect(tick.state.canaryWeight).toBe(10)
    tick = tickRollout(paused, tick.state, T0 + 30 * SECOND, empty)
    expect(tick.decision.explanation).toEqual(['step 2/5: pausing 1 m, 30 s left'])
    tick = tickRollout(paused, tick.state, T0 + MINUTE, empty)
    expect([tick.state.canaryWeight, tick.state.status, tick.state.reason]).toEqual([
      50,
      'paused',
      'step 4/5: paused until resume() or promote()',
    ])
    expect(tickRollout(paused, tick.state, T0 + 10 * MINUTE, empty).state.canaryWeight).toBe(50)
    const resumed = resumeRollout(paused, tick.state, T0 + 11 * MINUTE)
    expect([resumed.state.canaryWeight, resumed.state.status]).toEqual([100, 'promoted'])
    const promoted = promoteRollout(paused, tick.state, T0 + 11 * MINUTE)
    expect([promoted.state.canaryWeight, promoted.state.status, promoted.weights]).toEqual([
      100,
      'promoted',
      { stable: 0, canary: 1_000_000 },
    ])
  })

  it('an SLO guardrail breach on the canary rolls back at once', () => {
    const guarded: RolloutPlan = {
      ...plan,
      steps: [{ setWeight: 50 }, { pause: {} }],
      guardrails: { availability: 0.999, alerts: [{ longWindowMs: 10 * MINUTE, shortWindowMs: MINUTE, factor: 14.4 }] },
    }
    let tick = tickRollout(guarded, startRollout(guarded, T0), T0, empty)
    const recorder = createMetricsRecorder({ start: T0 })
    for (let minute = 1; minute <= 3; minute++) {
      for (let i = 0; i < 100; i++) recorder.record({ experiment: 'release', variant: 'canary' }, { status: i < 5 ? 500 : 200 })
      tick = tickRollout(guarded, tick.state, T0 + minute * MINUTE, recorder.take(T0 + minute * MINUTE))
    }
    expect(tick.state.status).toBe('rolled-back')
    expect(tick.state.reason).toBe(
      "SLO guardrail breached: canary availability burns its 99.9% objective's budget at 50x over 10 m and 50x over 1 m (>= 14.4x)",
    )
    expect(tick.weights.canary).toBe(0)
  })

  it('a sample ratio mismatch is inconclusive; past the limit the rollout pauses for a human', () => {
    const srmPlan: RolloutPlan = {
      ...plan,
      steps: [{ setWeight: 50 }, { analysis: { intervalMs: MINUTE, minRequests: 10, inconclusiveLimit: 0 } }],
    }
    let tick = tickRollout(srmPlan, startRollout(srmPlan, T0), T0, empty)
    const recorder = createMetricsRecorder()
    for (let i = 0; i < 1000; i++) recorder.record({ experiment: 'release', variant: 'stable' }, { status: 200, latencyMs: 10 })
    for (let i = 0; i < 1200; i++) recorder.record({ experiment: 'release', variant: 'canary' }, { status: 200, latencyMs: 10 })
    tick = tickRollout(srmPlan, tick.state, T0 + MINUTE, recorder.take(T0 + MINUTE))
    expect(tick.state.status).toBe('paused')
    expect(tick.decision.explanation[0]).toMatch(
      /^step 2\/2: analysis run 1 inconclusive: sample ratio mismatch: 1000\/1200 requests against 50\/50 weights, p = 2.01e-5 < 0.001: the split cannot be trusted$/,
    )
  })

  it('never modifies the state it is given (deep-frozen input), and keeps only SLI counts for the guardrails', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object') {
        Object.values(value).forEach(deepFreeze)
        Object.freeze(value)
      }
      return value
    }
    const guarded: RolloutPlan = { ...plan, guardrails: { availability: 0.99, latency: { thresholdMs: 100, objective: 0.8 } } }
    const recorder = createMetricsRecorder({ start: T0 })
    let state = startRollout(guarded, T0)
    for (let minute = 1; minute <= 4; minute++) {
      for (let i = 0; i < 200; i++) {
        recorder.record({ experiment: 'release', variant: 'canary' }, { status: 200, latencyMs: i % 10 === 0 ? 150 : 20 })
        recorder.record({ experiment: 'release', variant: 'stable' }, { status: 200, latencyMs: 20 })
      }
      const frozen = deepFreeze(structuredClone(state))
      const tick = tickRollout(guarded, frozen, T0 + minute * MINUTE, deepFreeze(recorder.take(T0 + minute * MINUTE)))
      expect(frozen).toEqual(state)
      state = tick.state
    }
    expect(state.status).toBe('paused') // equal traffic against 99/1 weights: two sample ratio mismatches
    expect(state.sli).toHaveLength(4)
    expect(state.sli.at(-1)).toEqual({
      end: Math.ceil((T0 + 4 * MINUTE) / MINUTE) * MINUTE, // buckets end on whole minutes (bucketMs)
      availability: { good: 200, total: 200 },
      latency: { good: 180, total: 200 },
    })
  })

  it('waits for enough canary requests before judging', () => {
    const tick = tickRollout(plan, tickRollout(plan, startRollout(plan, T0), T0, empty).state, T0 + 2 * MINUTE, empty)
    expect(tick.decision).toMatchObject({ action: 'wait', explanation: ['step 2/6: waiting for data: 0/100 canary requests'] })
  })
})

describe('createRolloutDriver', () => {
  it('ticks on traffic at most once per interval of the `now` it is given, and applies weights with splitter.update', () => {
    const splitter = createSplitter({
      config: {
        version: 1,
        revision: 'r1',
        experiments: {
          other: { variants: [{ name: 'x' }], bucketBy: 'userId' },
          release: { variants: [{ name: 'stable' }, { name: 'canary', weight: 0 }] },
        },
      },
    })
    const ticks: RolloutTick[] = []
    const driver = createRolloutDriver({
      splitter,
      recorder: createMetricsRecorder(),
      plan: { ...plan, steps: [{ setWeight: 10 }, { pause: { durationMs: 5 * SECOND } }, { setWeight: 30 }] },
      now: T0,
      minIntervalMs: 2 * SECOND,
      onTick: (tick) => ticks.push(tick),
    })
    for (let ms = 0; ms <= 10 * SECOND; ms += 100) driver.onTraffic(T0 + ms)
    expect(ticks.map((tick) => tick.state.canaryWeight)).toEqual([10, 10, 10, 100, 100, 100])
    expect(ticks.filter((tick) => tick.changed)).toHaveLength(2)
    expect(ticks[3]!.decision.explanation).toEqual([
      'step 2/3: pause of 5 s over',
      'canary weight 10% -> 30%: step 3/3 setWeight 30',
      'promoted: canary weight 100%: every step completed',
    ])
    expect(splitter.config.experiments.release!.variants.map((variant) => variant.weight)).toEqual([0, 1_000_000])
    expect(splitter.config.experiments.other!.bucketBy).toEqual(['userId'])
    expect(splitter.revision).toBe('r1')
  })

  it('keeps every other part of the config (rules, segments, layers, holdout) when it applies weights', () => {
    const config = {
      version: 1 as const,
      revision: 'r1',
      holdout: 5,
      segments: { beta: { attribute: 'groups', op: 'in' as const, values: ['beta'] } },
      layers: { page: {} },
      experiments: {
        release: {
          variants: [{ name: 'stable' }, { name: 'canary', weight: 0 }],
          rules: [{ id: 'beta-canary', when: { segment: 'beta' }, variant: 'canary' }],
          layer: { name: 'page', slice: [0, 60] as [number, number] },
        },
      },
    }
    const splitter = createSplitter({ config })
    const before = splitter.config
    const driver = createRolloutDriver({
      splitter,
      recorder: createMetricsRecorder(),
      plan: { ...plan, steps: [{ setWeight: 10 }, { pause: { durationMs: MINUTE } }] },
      now: T0,
    })
    driver.tick(T0)
    const after = splitter.config
    expect(after.experiments.release!.variants.map((variant) => variant.weight)).toEqual([900_000, 100_000])
    expect({ ...after, experiments: {} }).toEqual({ ...before, experiments: {} })
    expect({ ...after.experiments.release!, variants: [] }).toEqual({ ...before.experiments.release!, variants: [] })
  })

  it('keeps ticking when the onTick callback throws', () => {
    const splitter = createSplitter({
      config: { version: 1, experiments: { release: { variants: [{ name: 'stable' }, { name: 'canary', weight: 0 }] } } },
    })
    const onTick = () => {
      throw new Error('logger down')
    }
    const driver = createRolloutDriver({
      splitter,
      recorder: createMetricsRecorder(),
      plan: { ...plan, steps: [{ setWeight: 10 }, { pause: { durationMs: MINUTE } }] },
      now: T0,
      onTick,
    })
    expect(() => driver.onTraffic(T0)).not.toThrow()
    expect(splitter.config.experiments.release!.variants[1]!.weight).toBe(100_000)
  })
})
