import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMetricsRecorder } from '../metrics/recorder.js'
import { analyzeCanary } from './canary.js'
import { JUDGE_DEFAULTS } from './judge.js'
import { gaussian, seeded } from '../../test/seeded.js'

const options = { experiment: 'release', canary: 'canary', baseline: 'stable' }

function simulate(seed: number, canaryErrorRate: number, requests = 1500) {
  const random = seeded(seed)
  const recorder = createMetricsRecorder()
  const latency = () => Math.exp(4 + 0.5 * gaussian(random))
  for (let i = 0; i < requests; i++) {
    recorder.record({ experiment: 'release', variant: 'stable' }, { status: random() < 0.02 ? 500 : 200, latencyMs: latency() })
    recorder.record({ experiment: 'release', variant: 'canary' }, { status: random() < canaryErrorRate ? 500 : 200, latencyMs: latency() })
  }
  return analyzeCanary(recorder.take(), options)
}

describe('canary analysis (property)', () => {
  // Two one-sided checks (error rate and latency, each at (1 - 0.98) / 2 = 1%): at most 2% of
  // identical canaries may fail. Over 300 seeded runs, allow three binomial standard deviations.
  it('a canary identical to its baseline passes at the stated false-positive rate', () => {
    const runs = 300
    const stated = 1 - JUDGE_DEFAULTS.confidenceLevel
    let failures = 0
    for (let seed = 1; seed <= runs; seed++) if (simulate(seed, 0.02).verdict !== 'Pass') failures++
    expect(failures / runs).toBeLessThanOrEqual(stated + 3 * Math.sqrt((stated * (1 - stated)) / runs))
  })

  it('a canary with three times the error rate fails', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        const result = simulate(seed, 0.06)
        expect(result.verdict).toBe('Fail')
        expect(result.metrics[0]).toMatchObject({ name: 'error-rate', class: 'High', criticalFailure: true })
      }),
      { numRuns: 30 },
    )
  })
})
