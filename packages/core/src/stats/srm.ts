import { chiSquarePValue } from './chi-square.js'

/** Below this p-value a split is flagged: no analysis over it can be trusted. */
export const SRM_THRESHOLD = 0.001

/**
 * Least expected count per weighted arm for the chi-square approximation to hold (Cochran's rule of
 * thumb). With fewer, the p-value is unreliable: `enoughData` is false and no mismatch is flagged.
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
  /** Every arm with weight expects at least `SRM_MIN_EXPECTED` units: the p-value can be trusted. */
  readonly enoughData: boolean
  /** `enoughData && pValue < threshold`. */
  readonly mismatch: boolean
}

/**
 * Sample ratio mismatch: a chi-square goodness-of-fit test of per-variant counts against the
 * configured weights. Arms with weight 0 must observe 0 (any count there is a mismatch). With too few
 * units to test (`enoughData` false) nothing is flagged: wait for more rather than guess.
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
  // The one rule for "enough data": every caller (rollout, `splitlane analyze`, `simulate`) reads it here.
  const enoughData = total > 0 && expected.every((expectation, index) => weights[index]! <= 0 || expectation >= SRM_MIN_EXPECTED)
  return {
    chiSquare,
    degreesOfFreedom,
    pValue,
    expected,
    observedShares: observed.map((count) => (total > 0 ? count / total : 0)),
    expectedShares,
    enoughData,
    mismatch: enoughData && pValue < threshold,
  }
}
