import { logGamma } from '../stats/chi-square.js'
import { normalQuantile, normalTwoSidedP } from '../stats/normal.js'

export interface ProportionTestResult {
  readonly canaryRate: number
  readonly baselineRate: number
  /** canaryRate − baselineRate. */
  readonly difference: number
  /** Pooled two-proportion z statistic (positive: the canary's rate is higher). */
  readonly z: number
  /** Two-sided p-value of "equal rates": Fisher's exact test when a cell expects fewer than 5, else the pooled z-test. */
  readonly pValue: number
  readonly test: 'z' | 'fisher-exact'
  readonly confidenceLevel: number
  /** Newcombe's hybrid score interval of the difference (from the two Wilson intervals). */
  readonly lower: number
  readonly upper: number
  /** Is the difference significant at the confidence level, and in which direction. */
  readonly significant: 'higher' | 'lower' | false
}

/** Below this expected count in any cell of the 2×2 table, the z-test is unreliable and Fisher's exact test is used. */
export const MIN_EXPECTED_FOR_Z = 5

/**
 * Compares canary events/total with baseline events/total, e.g. error counts over request counts.
 * `undefined` when either total is 0. The pooled z-test holds its stated false-positive rate with
 * enough events; a canary at 1% with a handful of errors gets Fisher's exact test instead. The
 * interval (Newcombe) stays inside [−1, 1] and behaves at rates near 0, where the Wald interval fails.
 */
export function twoProportionTest(
  canary: { events: number; total: number },
  baseline: { events: number; total: number },
  confidenceLevel = 0.95,
): ProportionTestResult | undefined {
  if (!(canary.total > 0 && baseline.total > 0)) return undefined
  const p1 = canary.events / canary.total
  const p2 = baseline.events / baseline.total
  const total = canary.total + baseline.total
  const events = canary.events + baseline.events
  const pooled = events / total
  const pooledError = Math.sqrt(pooled * (1 - pooled) * (1 / canary.total + 1 / baseline.total))
  const difference = p1 - p2
  const z = pooledError === 0 ? 0 : difference / pooledError
  const smallestExpected = (Math.min(canary.total, baseline.total) * Math.min(events, total - events)) / total
  const exact = smallestExpected < MIN_EXPECTED_FOR_Z
  const pValue = pooledError === 0 ? 1 : exact ? fisherExactP(canary, baseline) : normalTwoSidedP(z)
  const quantile = -normalQuantile((1 - confidenceLevel) / 2)
  const [low1, high1] = wilson(canary.events, canary.total, quantile)
  const [low2, high2] = wilson(baseline.events, baseline.total, quantile)
  const significant = pValue < 1 - confidenceLevel && difference !== 0
  return {
    canaryRate: p1,
    baselineRate: p2,
    difference,
    z,
    pValue,
    test: exact ? 'fisher-exact' : 'z',
    confidenceLevel,
    lower: difference - Math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
    upper: difference + Math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2),
    significant: significant ? (difference > 0 ? 'higher' : 'lower') : false,
  }
}

/** Wilson score interval of one proportion. */
function wilson(events: number, total: number, quantile: number): [number, number] {
  const p = events / total
  const q2 = quantile * quantile
  const centre = (p + q2 / (2 * total)) / (1 + q2 / total)
  const half = (quantile / (1 + q2 / total)) * Math.sqrt((p * (1 - p)) / total + q2 / (4 * total * total)) || 0
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

/** Two-sided Fisher exact p: the probability of every table with the same margins at most as likely as the observed one. */
function fisherExactP(canary: { events: number; total: number }, baseline: { events: number; total: number }): number {
  const total = canary.total + baseline.total
  const events = canary.events + baseline.events
  const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
  const logDenominator = logChoose(total, canary.total)
  const logP = (k: number) => logChoose(events, k) + logChoose(total - events, canary.total - k) - logDenominator
  const observed = logP(canary.events)
  let p = 0
  for (let k = Math.max(0, canary.total - (total - events)); k <= Math.min(events, canary.total); k++) {
    const logK = logP(k)
    if (logK <= observed + 1e-7) p += Math.exp(logK)
  }
  return Math.min(1, p)
}
