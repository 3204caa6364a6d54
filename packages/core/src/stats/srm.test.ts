import { describe, expect, it } from 'vitest'
import { chiSquarePValue, logGamma } from './chi-square.js'
import { sampleRatioMismatch } from './srm.js'

describe('chiSquarePValue', () => {
  it.each([
    [3.841458820694124, 1, 0.05],
    [6.634896601021214, 1, 0.01],
    [5.991464547107979, 2, 0.05],
    [16.918977604620448, 9, 0.05],
    [10.827566170662733, 1, 0.001],
    [124.34211340400407, 100, 0.05],
    [0, 3, 1],
  ])('P(X >= %d) with %d degrees of freedom is %d', (statistic, df, expected) => {
    expect(chiSquarePValue(statistic, df)).toBeCloseTo(expected, 9)
  })

  it('handles extreme statistics', () => {
    expect(chiSquarePValue(Infinity, 2)).toBe(0)
    expect(chiSquarePValue(2000, 1)).toBeLessThan(1e-300)
    expect(chiSquarePValue(1e-12, 1)).toBeCloseTo(1, 5)
  })

  it('logGamma matches factorials', () => {
    for (let n = 1; n < 20; n++) {
      let factorial = 1
      for (let k = 2; k < n; k++) factorial *= k
      expect(logGamma(n)).toBeCloseTo(Math.log(factorial), 10)
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12)
  })
})

describe('sampleRatioMismatch', () => {
  it('flags 1000 vs 1200 at 50/50 (p about 2.0e-5)', () => {
    const result = sampleRatioMismatch([1000, 1200], [50, 50])
    expect(result.chiSquare).toBeCloseTo(18.1818, 3)
    expect(result.degreesOfFreedom).toBe(1)
    expect(result.pValue).toBeGreaterThan(1.9e-5)
    expect(result.pValue).toBeLessThan(2.1e-5)
    expect(result.mismatch).toBe(true)
  })

  it('passes a split that matches its weights', () => {
    const result = sampleRatioMismatch([1010, 995, 7995], [10, 10, 80])
    expect(result.mismatch).toBe(false)
    expect(result.expected).toEqual([1000, 1000, 8000])
    expect(result.expectedShares).toEqual([0.1, 0.1, 0.8])
  })

  it('treats any unit in a zero-weight arm as a mismatch', () => {
    expect(sampleRatioMismatch([500, 500, 1], [1, 1, 0]).pValue).toBe(0)
    expect(sampleRatioMismatch([500, 500, 0], [1, 1, 0]).degreesOfFreedom).toBe(1)
  })

  it('rejects counts and weights of different lengths', () => {
    expect(() => sampleRatioMismatch([1, 2], [1])).toThrow(RangeError)
  })
})
