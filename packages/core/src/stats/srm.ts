import { chiSquarePValue } from './chi-square.js'

/** Below this p-value a split is flagged: no analysis over it can be trusted. */
export const SRM_THRESHOLD = 0.001

/**
 * Least expected count per arm for the chi-square approximation to hold (Cochran's rule of thumb).
 * With fewer, the p-value is unreliable: callers should wait for more units rather than flag a
 * mismatch (the rollout's analysis does). The test itself computes for any counts.
 */
export const SRM_MIN_EXPECTED = 5

export interface SampleRatioResult {
  /** Pearson's chi-square statistic of observed against expected counts. */
  readonly chiSquare: number
  readonly degreesOfFreedom: number
  readonly pValue: number
  readonly expected: readonly number[]
  readonly observedShares: readonly number[]
  readonly expectedShares: readonly number[]
  /** `pValue < threshold`. */
  readonly mismatch: boolean
}

/**
 * Sample ratio mismatch: a chi-square goodness-of-fit test of per-variant counts against the
 * configured weights. Arms with weight 0 must observe 0 (any count there is a mismatch).
 */
export function sampleRatioMismatch(observed: readonly number[], weights: readonly number[], threshold = SRM_THRESHOLD): SampleRatioResult {
  if (observed.length !== weights.length)
    throw new RangeError(`sampleRatioMismatch: ${observed.length} counts for ${weights.length} weights`)
  const total = observed.reduce((sum, count) => sum + count, 0)
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0)
  const expectedShares = weights.map((weight) => (totalWeight > 0 ? weight / totalWeight : 0))
  const expected = expectedShares.map((share) => share * total)
  let chiSquare = 0
  let arms = 0
  observed.forEach((count, index) => {
    const expectation = expected[index]!
    if (expectation > 0) {
      chiSquare += (count - expectation) ** 2 / expectation
      arms++
    } else if (count > 0) chiSquare = Infinity
  })
  const degreesOfFreedom = Math.max(arms - 1, 0)
  const pValue = chiSquare === Infinity ? 0 : chiSquarePValue(chiSquare, degreesOfFreedom)
  return {
    chiSquare,
    degreesOfFreedom,
    pValue,
    expected,
    observedShares: observed.map((count) => (total > 0 ? count / total : 0)),
    expectedShares,
    mismatch: pValue < threshold,
  }
}
