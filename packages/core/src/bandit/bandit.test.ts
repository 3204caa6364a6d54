import { describe, expect, it } from 'vitest'
import { seeded } from '../../test/seeded.js'
import { createMetricsRecorder } from '../metrics/recorder.js'
import { configWithWeights } from '../rollout/driver.js'
import { createSplitter } from '../splitter.js'
import { assignmentProbability, createBandit, sharesToWeights } from './thompson.js'

const RATES: Record<string, number> = { a: 0.04, b: 0.05, c: 0.07 }
const MINUTE = 60_000

function run(adaptive: boolean, seed: number) {
  const random = seeded(seed)
  const splitter = createSplitter({
    config: { version: 1, experiments: { offer: { mode: 'random', variants: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } } },
    random,
  })
  const recorder = createMetricsRecorder()
  const bandit = createBandit({ experiment: 'offer', arms: ['a', 'b', 'c'], event: 'conversion', random: seeded(seed + 1), burnIn: 200 })
  let regret = 0
  const bestShare: number[] = []
  const probabilities: number[] = []
  for (let round = 0; round < 30; round++) {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 }
    for (let i = 0; i < 1000; i++) {
      const assignment = splitter.assign('offer', { key: `u${i}` })
      const withProbability = bandit.attach(assignment)
      probabilities.push(withProbability.probability!)
      const arm = assignment.variant!
      counts[arm]!++
      regret += RATES.c! - RATES[arm]!
      recorder.record(assignment, { status: 200, events: random() < RATES[arm]! ? { conversion: 1 } : {} })
    }
    bestShare.push(counts.c! / 1000)
    bandit.observe(recorder.take(round * MINUTE))
    const update = bandit.update(round * MINUTE)
    if (adaptive && update.updated) splitter.update(configWithWeights(splitter, 'offer', update.weights))
  }
  return { regret, bestShare, probabilities, bandit, splitter }
}

describe('Thompson sampling bandit (simulation)', () => {
  it("raises the best arm's share and keeps regret below a fixed equal split", () => {
    const adaptive = run(true, 11)
    const fixed = run(false, 11)
    // Round 0 is the burn-in at an equal split; afterwards the best arm's share climbs.
    const late = adaptive.bestShare.slice(-5).reduce((a, b) => a + b) / 5
    expect(adaptive.bestShare[0]).toBeLessThan(0.4)
    expect(late).toBeGreaterThan(0.8)
    expect(adaptive.regret).toBeLessThan(0.4 * fixed.regret)
    // The equal split's regret is what theory says: 30,000 × (0.07 − mean rate), within noise.
    expect(fixed.regret).toBeGreaterThan(30_000 * (0.07 - 0.16 / 3) * 0.9)
  })

  it('keeps every arm at or above its exploration floor, and records the probability of each assignment', () => {
    const { bandit, splitter } = run(true, 3)
    const probabilities = bandit.probabilities()
    for (const arm of ['a', 'b', 'c']) expect(probabilities[arm]).toBeGreaterThanOrEqual(0.05 / 3 - 1e-12)
    expect(Object.values(probabilities).reduce((a, b) => a + b)).toBeCloseTo(1, 12)
    const assignment = splitter.assign('offer', { key: 'someone' })
    expect(bandit.attach(assignment).probability).toBeCloseTo(assignmentProbability(splitter.config, assignment)!, 5)
  })

  it('is reproducible with a seeded random source, and stays equal during burn-in', () => {
    expect(run(true, 5).regret).toBe(run(true, 5).regret)
    const bandit = createBandit({ experiment: 'offer', arms: ['a', 'b'], event: 'conversion', random: seeded(1) })
    const update = bandit.update(0)
    expect(update.updated).toBe(false)
    expect(update.weights).toEqual({ a: 500_000, b: 500_000 })
    expect(update.explanation[0]).toBe('burn-in: every arm needs 100 requests before the weights adapt; the split stays equal')
  })

  it('rejects options it cannot use with a SplitlaneError', () => {
    expect(() => createBandit({ experiment: 'e', arms: [], event: 'c', random: seeded(1) })).toThrow(
      expect.objectContaining({ code: 'SPLITLANE_ERR_OPTIONS_INVALID' }),
    )
  })

  it('sharesToWeights sums to exactly 1,000,000', () => {
    expect(sharesToWeights({ a: 1 / 3, b: 1 / 3, c: 1 / 3 })).toEqual({ a: 333_334, b: 333_333, c: 333_333 })
  })

  it('continuous rewards in [0, 1] favour the arm with the higher mean', () => {
    const bandit = createBandit({
      experiment: 'e',
      arms: ['x', 'y'],
      event: 'revenue',
      reward: 'continuous',
      random: seeded(2),
      burnIn: 10,
    })
    const recorder = createMetricsRecorder()
    for (let i = 0; i < 500; i++) {
      recorder.record({ experiment: 'e', variant: 'x' }, { events: { revenue: 0.2 } })
      recorder.record({ experiment: 'e', variant: 'y' }, { events: { revenue: 0.3 } })
    }
    bandit.observe(recorder.take(0))
    expect(bandit.update(0).probabilities.y).toBeGreaterThan(0.9)
  })
})
