import { describe, expect, it } from 'vitest'
import { analysisDue, startRollout, tickRollout } from '../rollout/plan.js'
import type { RolloutPlan } from '../rollout/types.js'
import { judgeAnalysisRun } from '../rollout/verdict.js'
import { fleetMetrics, fleetRevisionCheck, judgeFleetWindow, type FleetVariantWindow, type FleetWindow } from './fleet.js'

// A fixed-seed generator, so every run judges the same series.
function lcg(seed: number): () => number {
  let state = seed >>> 0
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32
}

const STEP = 10_000
const POINTS = 30

function variant(random: () => number, options: { rps: number; errorRatio: number; p99: number }): FleetVariantWindow {
  const errorRatio = []
  const latency = []
  let requests = 0
  let errors = 0
  for (let i = 0; i < POINTS; i++) {
    const served = Math.round(options.rps * (STEP / 1000) * (0.9 + 0.2 * random()))
    const failed = Math.round(served * options.errorRatio * (0.5 + random()))
    requests += served
    errors += failed
    errorRatio.push({ t: i * STEP, value: failed / served })
    latency.push({ t: i * STEP, value: options.p99 * (0.9 + 0.2 * random()) })
  }
  return { requests, errors, series: { 'error-ratio': errorRatio, 'latency-p99': latency } }
}

function fleet(canary: { errorRatio: number; p99: number }, baseline = { errorRatio: 0.001, p99: 0.2 }, canaryRps = 10): FleetWindow {
  const random = lcg(42)
  return {
    experiment: 'checkout',
    start: 0,
    end: POINTS * STEP,
    stepMs: STEP,
    variants: { stable: variant(random, { rps: 90, ...baseline }), canary: variant(random, { rps: canaryRps, ...canary }) },
  }
}

const sides = { canary: 'canary', baseline: 'stable' }

describe('fleet windows (time series per variant)', () => {
  it('compares each series by Mann-Whitney and the summed error counts by a proportion test', () => {
    const metrics = fleetMetrics(fleet({ errorRatio: 0.001, p99: 0.2 }), sides)
    expect(metrics.map((metric) => [metric.name, metric.kind ?? 'continuous'])).toEqual([
      ['error-rate', 'proportion'],
      ['error-ratio', 'continuous'],
      ['latency-p99', 'continuous'],
    ])
    const errorRate = metrics[0]!
    expect(errorRate.kind === 'proportion' && errorRate.canary.total).toBeGreaterThan(2000)
    expect(metrics[2]!.canary).toHaveLength(POINTS)
  })

  it('passes a healthy canary', () => {
    const result = judgeFleetWindow(fleet({ errorRatio: 0.001, p99: 0.2 }), sides)
    expect(result.verdict).toBe('Pass')
  })

  it('fails a canary with 30% errors and names the metric', () => {
    const result = judgeFleetWindow(fleet({ errorRatio: 0.3, p99: 0.2 }), sides)
    expect(result.verdict).toBe('Fail')
    expect(result.reason).toContain('error-rate High')
    expect(result.metrics.find((metric) => metric.name === 'error-ratio')?.class).toBe('High')
  })

  it('flags a slower p99 series as High in the latency group', () => {
    const result = judgeFleetWindow(fleet({ errorRatio: 0.001, p99: 0.6 }), sides)
    const latency = result.metrics.find((metric) => metric.name === 'latency-p99')!
    expect(latency.class).toBe('High')
    expect(latency.groups).toEqual(['latency'])
    expect(result.verdict).not.toBe('Pass')
  })

  it('drops NaN points (steps without requests) and says Nodata when a side has no series', () => {
    const window = fleet({ errorRatio: 0.001, p99: 0.2 })
    const canary = window.variants.canary!
    const empty: FleetWindow = {
      ...window,
      variants: {
        ...window.variants,
        canary: { ...canary, series: { 'latency-p99': canary.series['latency-p99']!.map((point) => ({ ...point, value: NaN })) } },
      },
    }
    const latency = judgeFleetWindow(empty, sides).metrics.find((metric) => metric.name === 'latency-p99')!
    expect(latency.class).toBe('Nodata')
    expect(latency.removed.nan).toBe(POINTS)
  })

  it('leaves out a series set to false and takes overrides', () => {
    const metrics = fleetMetrics(fleet({ errorRatio: 0.001, p99: 0.2 }), {
      ...sides,
      series: { 'error-ratio': false, 'latency-p99': { critical: true } },
    })
    expect(metrics.map((metric) => metric.name)).toEqual(['error-rate', 'latency-p99'])
    expect(metrics[1]!.critical).toBe(true)
  })

  it('reads variants by own property only', () => {
    const metrics = fleetMetrics(fleet({ errorRatio: 0, p99: 0.2 }), { canary: 'toString', baseline: 'stable' })
    expect(metrics[0]!.kind === 'proportion' && metrics[0]!.canary.total).toBe(0)
  })
})

describe('judgeAnalysisRun over a fleet window (the one verdict)', () => {
  const analysis = { minRequests: 100 }

  it('rolls back a failing canary, with the summed counts in the sample ratio check', () => {
    const verdict = judgeAnalysisRun({
      experiment: 'checkout',
      ...sides,
      fleet: fleet({ errorRatio: 0.3, p99: 0.2 }),
      canaryWeight: 10,
      analysis,
    })
    expect(verdict.outcome).toBe('failed')
    expect(verdict.next).toBe('rollback')
    expect(verdict.reason).toContain('error-rate')
    expect(verdict.srm?.checked).toBe(true)
    expect(verdict.srm?.mismatch).toBe(false)
  })

  it('passes a healthy canary and flags a sample ratio mismatch', () => {
    const window = fleet({ errorRatio: 0.001, p99: 0.2 })
    expect(judgeAnalysisRun({ experiment: 'checkout', ...sides, fleet: window, canaryWeight: 10, analysis }).outcome).toBe('passed')
    const skewed = judgeAnalysisRun({ experiment: 'checkout', ...sides, fleet: window, canaryWeight: 30, analysis })
    expect(skewed.outcome).toBe('inconclusive')
    expect(skewed.reason).toContain('sample ratio mismatch')
  })

  it('waits for minRequests canary requests', () => {
    const verdict = judgeAnalysisRun({
      experiment: 'checkout',
      ...sides,
      fleet: fleet({ errorRatio: 0, p99: 0.2 }, undefined, 0.1),
      analysis,
    })
    expect(verdict.outcome).toBe('waiting')
  })

  it('is inconclusive while instances serve another revision than expected', () => {
    const window: FleetWindow = {
      ...fleet({ errorRatio: 0.001, p99: 0.2 }),
      revisions: [
        { revision: '7', instances: ['a:1', 'b:1'] },
        { revision: '6', instances: ['c:1'] },
      ],
    }
    const verdict = judgeAnalysisRun({ experiment: 'checkout', ...sides, fleet: window, canaryWeight: 10, analysis, expectedRevision: '7' })
    expect(verdict.outcome).toBe('inconclusive')
    expect(verdict.reason).toBe('instances still serve other revisions than 7: 6 (c:1)')
    expect(fleetRevisionCheck({ ...window, revisions: [{ revision: '7', instances: ['a:1'] }] }, '7').current).toBe(true)
    expect(fleetRevisionCheck({ ...window, revisions: [] }, '7').current).toBe(false)
  })
})

describe('tickRollout with fleet evidence (the controller path)', () => {
  const plan: RolloutPlan = {
    experiment: 'checkout',
    canary: 'canary',
    baseline: 'stable',
    steps: [{ setWeight: 10 }, { analysis: { intervalMs: 1000, minRequests: 50, inconclusiveLimit: 1 } }, { setWeight: 50 }],
  }

  it('asks for the window since the last run only when an analysis is due', () => {
    const state = tickRollout(plan, startRollout(plan, 0), 0).state
    expect(state.canaryWeight).toBe(10)
    expect(analysisDue(plan, state, 500)).toBeNull()
    expect(analysisDue(plan, state, 1500)).toEqual({ start: 0, end: 1500, step: 1 })
  })

  it('judges the fleet window: a failing canary rolls back, a healthy one goes on', () => {
    const started = tickRollout(plan, startRollout(plan, 0), 0).state
    const bad = tickRollout(plan, started, 2000, [], { fleet: fleet({ errorRatio: 0.3, p99: 0.2 }) })
    expect(bad.state.status).toBe('rolled-back')
    expect(bad.state.reason).toMatch(/error/)
    const good = tickRollout(plan, started, 2000, [], { fleet: fleet({ errorRatio: 0.001, p99: 0.2 }) })
    expect(good.decision.explanation.join('\n')).toMatch(/analysis run 1 passed.*\n[^]*10% -> 50%/)
    expect(good.state.status).toBe('promoted')
  })

  it('missing evidence is inconclusive, never a promotion; past the limit it pauses', () => {
    let state = tickRollout(plan, startRollout(plan, 0), 0).state
    const first = tickRollout(plan, state, 2000, [], { missing: 'prometheus unreachable' })
    expect(first.state.canaryWeight).toBe(10)
    expect(first.state.analysis.inconclusive).toBe(1)
    expect(first.decision.explanation.join('\n')).toMatch(/no evidence: prometheus unreachable/)
    state = tickRollout(plan, first.state, 4000, [], { missing: 'prometheus unreachable' }).state
    expect(state.status).toBe('paused')
    expect(state.canaryWeight).toBe(10)
  })

  it('a fleet still on an older revision is inconclusive, whatever the metrics say', () => {
    const started = tickRollout(plan, startRollout(plan, 0), 0).state
    const window = { ...fleet({ errorRatio: 0.001, p99: 0.2 }), revisions: [{ revision: 'r1', instances: ['a:1'] }] }
    const tick = tickRollout(plan, started, 2000, [], { fleet: window, expectedRevision: 'r2' })
    expect(tick.state.canaryWeight).toBe(10)
    expect(tick.state.analysis.inconclusive).toBe(1)
  })
})
