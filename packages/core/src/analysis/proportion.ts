import { normalQuantile, normalTwoSidedP } from '../stats/normal.js'

export interface ProportionTestResult {
  readonly canaryRate: number
  readonly baselineRate: number
  /** canaryRate − baselineRate. */
  readonly difference: number
  /** Pooled two-proportion z statistic (positive: the canary's rate is higher). */
  readonly z: number
  /** Two-sided p-value of "equal rates". */
  readonly pValue: number
  readonly confidenceLevel: number
  /** Wald interval of the difference (unpooled standard error). */
  readonly lower: number
  readonly upper: number
  /** Is the difference significant at the confidence level, and in which direction. */
  readonly significant: 'higher' | 'lower' | false
}

/**
 * Two-proportion z-test (pooled standard error) of canary events/total against baseline events/total,
 * e.g. error counts over request counts. `undefined` when either total is 0. The pooled test is
 * exact in its null (equal rates), so its false-positive rate is the stated one; the interval uses
 * the unpooled error, as intervals do. Needs roughly 5+ events and 5+ non-events per arm to be accurate.
 */
export function twoProportionTest(
  canary: { events: number; total: number },
  baseline: { events: number; total: number },
  confidenceLevel = 0.95,
): ProportionTestResult | undefined {
  if (!(canary.total > 0 && baseline.total > 0)) return undefined
  const p1 = canary.events / canary.total
  const p2 = baseline.events / baseline.total
  const pooled = (canary.events + baseline.events) / (canary.total + baseline.total)
  const pooledError = Math.sqrt(pooled * (1 - pooled) * (1 / canary.total + 1 / baseline.total))
  const difference = p1 - p2
  const z = pooledError === 0 ? 0 : difference / pooledError
  const quantile = -normalQuantile((1 - confidenceLevel) / 2)
  const error = Math.sqrt((p1 * (1 - p1)) / canary.total + (p2 * (1 - p2)) / baseline.total)
  return {
    canaryRate: p1,
    baselineRate: p2,
    difference,
    z,
    pValue: pooledError === 0 ? 1 : normalTwoSidedP(z),
    confidenceLevel,
    lower: difference - quantile * error,
    upper: difference + quantile * error,
    significant: z > quantile ? 'higher' : z < -quantile ? 'lower' : false,
  }
}
