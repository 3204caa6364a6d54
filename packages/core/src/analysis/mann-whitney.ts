// Mann-Whitney U (Wilcoxon rank-sum) with the normal approximation, tie and continuity corrections,
// its confidence interval for the shift and the Hodges-Lehmann estimate, as in Kayenta (which follows
// R's wilcox.test, asymptotic branch). Works on grouped samples, so a latency sketch with thousands of
// requests costs O(buckets) per evaluation rather than O(n·m).
import { normalQuantile, normalTwoSidedP } from '../stats/normal.js'
import { groupSamples, type Grouped, type Samples } from './samples.js'

export interface MannWhitneyResult {
  /** Canary (x) and baseline (y) sample sizes. */
  readonly canaryCount: number
  readonly baselineCount: number
  /** U of the canary: pairs where the canary value is larger, ties counting one half. */
  readonly u: number
  /** The standardized statistic with tie and continuity corrections (0 when all values tie). */
  readonly z: number
  /** Two-sided p-value of "no shift". */
  readonly pValue: number
  readonly confidenceLevel: number
  /** Confidence interval of the shift canary − baseline. */
  readonly lower: number
  readonly upper: number
  /** Hodges-Lehmann estimate of the shift: the median of all pairwise differences canary − baseline. */
  readonly estimate: number
}

interface Statistic {
  dz: number
  sigma: number
}

/** U(mu) − nm/2 and the tie-corrected sigma, for the canary shifted down by mu. */
function statisticAt(x: Grouped, y: Grouped, mu: number): Statistic {
  const n = x.total
  const m = y.total
  let i = 0
  let j = 0
  let yBelow = 0
  let u = 0
  let ties = 0
  while (i < x.values.length || j < y.values.length) {
    const xv = i < x.values.length ? x.values[i]! - mu : Infinity
    const yv = j < y.values.length ? y.values[j]! : Infinity
    const value = Math.min(xv, yv)
    const cx = xv === value ? x.counts[i++]! : 0
    const cy = yv === value ? y.counts[j++]! : 0
    u += cx * (yBelow + cy / 2)
    yBelow += cy
    const t = cx + cy
    ties += t * t * t - t
  }
  const sigma = Math.sqrt(((n * m) / 12) * (n + m + 1 - ties / ((n + m) * (n + m - 1))))
  return { dz: u - (n * m) / 2, sigma }
}

const corrected = ({ dz, sigma }: Statistic) => (sigma === 0 ? 0 : (dz - 0.5 * Math.sign(dz)) / sigma)

/** The shift at which the corrected statistic falls through `quantile` (Z decreases as mu grows). */
function crossing(x: Grouped, y: Grouped, quantile: number, low: number, high: number): number {
  const f = (mu: number) => corrected(statisticAt(x, y, mu)) - quantile
  if (f(low) <= 0) return low
  if (f(high) >= 0) return high
  // Invariant: f(low) > 0 >= f(high). Bisect to the jump point.
  for (let step = 0; step < 200; step++) {
    const middle = low + (high - low) / 2
    if (middle <= low || middle >= high) break
    if (f(middle) > 0) low = middle
    else high = middle
  }
  // The statistic jumps where x_i − mu = y_j: the bound is that pairwise difference.
  return nearestDifference(x, y, low + (high - low) / 2)
}

/** Number of pairs with x_i − y_j <= d, i.e. y_j >= x_i − d (two pointers, as both lists are sorted). */
function pairsAtMost(x: Grouped, y: Grouped, d: number): number {
  let count = 0
  let k = 0
  let below = 0
  for (let i = 0; i < x.values.length; i++) {
    const threshold = x.values[i]! - d
    while (k < y.values.length && y.values[k]! < threshold) below += y.counts[k++]!
    count += x.counts[i]! * (y.total - below)
  }
  return count
}

/** The k-th smallest (1-based) pairwise difference x_i − y_j. */
function pairwiseDifference(x: Grouped, y: Grouped, k: number, low: number, high: number): number {
  if (pairsAtMost(x, y, low) >= k) return low
  for (let step = 0; step < 200; step++) {
    const middle = low + (high - low) / 2
    if (middle <= low || middle >= high) break
    if (pairsAtMost(x, y, middle) >= k) high = middle
    else low = middle
  }
  return nearestDifference(x, y, high)
}

/** The pairwise difference closest to d (bisection lands within an ulp of one; this makes it exact). */
function nearestDifference(x: Grouped, y: Grouped, d: number): number {
  let best = d
  let distance = Infinity
  for (const xv of x.values) {
    const target = xv - d
    let lo = 0
    let hi = y.values.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (y.values[mid]! < target) lo = mid + 1
      else hi = mid
    }
    for (const j of [lo - 1, lo]) {
      if (j < 0 || j >= y.values.length) continue
      const candidate = xv - y.values[j]!
      if (Math.abs(candidate - d) < distance) [best, distance] = [candidate, Math.abs(candidate - d)]
    }
  }
  return best
}

/**
 * Mann-Whitney U test of canary against baseline at `confidenceLevel` (default 0.95). Returns
 * `undefined` when either sample is empty. NaN and infinite values are dropped.
 */
export function mannWhitney(canary: Samples, baseline: Samples, confidenceLevel = 0.95): MannWhitneyResult | undefined {
  const x = groupSamples(canary)
  const y = groupSamples(baseline)
  if (x.total === 0 || y.total === 0) return undefined
  const low = x.values[0]! - y.values[y.values.length - 1]!
  const high = x.values[x.values.length - 1]! - y.values[0]!
  const atZero = statisticAt(x, y, 0)
  const z = corrected(atZero)
  const quantile = -normalQuantile((1 - confidenceLevel) / 2)
  const pairs = x.total * y.total
  const median =
    pairs % 2 === 1
      ? pairwiseDifference(x, y, (pairs + 1) / 2, low, high)
      : (pairwiseDifference(x, y, pairs / 2, low, high) + pairwiseDifference(x, y, pairs / 2 + 1, low, high)) / 2
  const allTied = atZero.sigma === 0
  return {
    canaryCount: x.total,
    baselineCount: y.total,
    u: atZero.dz + pairs / 2,
    z,
    pValue: allTied ? 1 : normalTwoSidedP(z),
    confidenceLevel,
    lower: allTied ? low : crossing(x, y, quantile, low, high),
    upper: allTied ? high : crossing(x, y, -quantile, low, high),
    estimate: median,
  }
}
