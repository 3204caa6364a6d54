import { describe, expect, it } from 'vitest'
import { normalCdf, normalQuantile } from '../stats/normal.js'
import { mannWhitney } from './mann-whitney.js'

describe('normal distribution', () => {
  it('quantiles and tails match published values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12)
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874040841, 12)
    expect(normalQuantile(0.5)).toBe(0)
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9)
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14)
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 15)
  })
})

describe('mannWhitney', () => {
  it("reproduces Kayenta's vector: [10,20,30,40] vs [1,2,3,4] at 95% gives CI (6, 39) and estimate 22.5", () => {
    const result = mannWhitney([10, 20, 30, 40], [1, 2, 3, 4], 0.95)!
    expect(result.lower).toBeCloseTo(6, 9)
    expect(result.upper).toBeCloseTo(39, 9)
    expect(result.estimate).toBe(22.5)
    expect(result.u).toBe(16)
    // z = (8 - 0.5) / sqrt(16/12 * 9): R's wilcox.test(exact = FALSE) gives p = 0.0304.
    expect(result.z).toBeCloseTo(7.5 / Math.sqrt(12), 12)
    expect(result.pValue).toBeCloseTo(0.03038282, 7)
  })

  it('applies the tie correction to sigma', () => {
    const result = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4])!
    // U = 3; ties: {2,2,2} and {3,3,3}: sigma = sqrt(16/12 * (9 - 48/56)); z = (3 - 8 + 0.5) / sigma.
    expect(result.u).toBe(3)
    const sigma = Math.sqrt((16 / 12) * (9 - 48 / 56))
    expect(result.z).toBeCloseTo(-4.5 / sigma, 12)
    expect(result.pValue).toBeCloseTo(2 * normalCdf(-4.5 / sigma), 12)
    expect(result.pValue).toBeCloseTo(0.172, 3)
    expect(result.estimate).toBe(-1)
  })

  // Reference values from SciPy 1.17.1, computed offline: mannwhitneyu(canary, baseline,
  // alternative='two-sided', method='asymptotic', use_continuity=True), which applies the same tie correction.
  it.each([
    [[10, 20, 30, 40], [1, 2, 3, 4], 16, 0.03038282197657749],
    [[1, 2, 2, 3], [2, 3, 3, 4], 3, 0.1720337089218229],
    [[12, 15, 11, 19, 14, 13, 18, 16], [10, 9, 12, 11, 8, 13, 10, 9], 59.5, 0.0044265258579198235],
    [[0.5, 0.7, 0.7, 1.2, 3.4, 0.9, 0.7], [0.6, 0.6, 0.8, 1.0, 0.4, 0.6], 30, 0.21950194029990822],
  ])('U and p match SciPy for %j vs %j', (canary, baseline, u, p) => {
    const result = mannWhitney(canary, baseline)!
    expect(result.u).toBe(u)
    expect(result.pValue).toBeCloseTo(p, 12)
  })

  it('takes grouped samples: (value, count) pairs equal their expansion', () => {
    const plain = mannWhitney([5, 5, 5, 7, 9, 9], [4, 4, 6, 6, 6, 8, 10])!
    const grouped = mannWhitney(
      [
        { value: 9, count: 2 },
        { value: 5, count: 3 },
        { value: 7, count: 1 },
      ],
      [
        { value: 4, count: 2 },
        { value: 6, count: 3 },
        { value: 8, count: 1 },
        { value: 10, count: 1 },
      ],
    )!
    expect(grouped).toEqual(plain)
  })

  it('the estimate is the median of the pairwise differences (odd and even counts)', () => {
    const canary = [3.5, 1.25, 8, 2]
    const baseline = [1, 0.5, 4]
    const differences = canary.flatMap((c) => baseline.map((b) => c - b)).sort((a, b) => a - b)
    expect(mannWhitney(canary, baseline)!.estimate).toBe((differences[5]! + differences[6]!) / 2)
    const odd = [1, 2, 9]
    const oddDiffs = odd.flatMap((c) => baseline.map((b) => c - b)).sort((a, b) => a - b)
    expect(mannWhitney(odd, baseline)!.estimate).toBe(oddDiffs[4])
  })

  it('is undefined without data, and all-tied samples give no shift', () => {
    expect(mannWhitney([], [1])).toBeUndefined()
    expect(mannWhitney([NaN], [1])).toBeUndefined()
    const tied = mannWhitney([2, 2], [2, 2, 2])!
    expect([tied.z, tied.pValue, tied.lower, tied.upper, tied.estimate]).toEqual([0, 1, 0, 0, 0])
  })

  it('the interval is a pairwise difference, and widens with the confidence level', () => {
    const canary = [12, 15, 11, 19, 14, 13, 18, 16]
    const baseline = [10, 9, 12, 11, 8, 13, 10, 9]
    const at95 = mannWhitney(canary, baseline, 0.95)!
    const at99 = mannWhitney(canary, baseline, 0.99)!
    const differences = new Set(canary.flatMap((c) => baseline.map((b) => c - b)))
    expect([...differences].some((d) => Math.abs(d - at95.lower) < 1e-9)).toBe(true)
    expect([...differences].some((d) => Math.abs(d - at95.upper) < 1e-9)).toBe(true)
    expect(at99.lower).toBeLessThanOrEqual(at95.lower)
    expect(at99.upper).toBeGreaterThanOrEqual(at95.upper)
    expect(at95.lower).toBeGreaterThan(0)
  })
})
