import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mannWhitney } from './mann-whitney.js'

// Integers keep every shift exact, so the properties hold to the last bit.
const sample = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 25 })
const differences = (canary: number[], baseline: number[]) => canary.flatMap((c) => baseline.map((b) => c - b))

describe('mannWhitney (property)', () => {
  it('the estimate lies in the interval, and every bound is a pairwise difference or the range end', () => {
    fc.assert(
      fc.property(sample, sample, (canary, baseline) => {
        const result = mannWhitney(canary, baseline)!
        expect(result.lower).toBeLessThanOrEqual(result.estimate)
        expect(result.estimate).toBeLessThanOrEqual(result.upper)
        const all = differences(canary, baseline)
        expect(all).toContain(result.lower)
        expect(all).toContain(result.upper)
      }),
    )
  })

  it('shifting the canary by c shifts the estimate and the interval by c, and leaves U and p alone', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -20, max: 20 }), (canary, baseline, c) => {
        const base = mannWhitney(canary, baseline)!
        const shifted = mannWhitney(
          canary.map((value) => value + c),
          baseline,
        )!
        expect(shifted.estimate).toBe(base.estimate + c)
        expect(shifted.lower).toBe(base.lower + c)
        expect(shifted.upper).toBe(base.upper + c)
        const zero = mannWhitney(
          canary.map((value) => value - base.estimate),
          baseline,
        )!
        expect(Math.abs(zero.z)).toBeLessThanOrEqual(Math.abs(base.z) + 1e-12)
      }),
    )
  })

  it('swapping canary and baseline negates the estimate and mirrors the interval; U + U′ = n·m', () => {
    fc.assert(
      fc.property(sample, sample, (canary, baseline) => {
        const forward = mannWhitney(canary, baseline)!
        const backward = mannWhitney(baseline, canary)!
        const same = (a: number, b: number) => expect(a + 0).toBe(b + 0) // +0 and -0 alike
        same(backward.estimate, -forward.estimate)
        same(backward.lower, -forward.upper)
        same(backward.upper, -forward.lower)
        expect(forward.u + backward.u).toBe(canary.length * baseline.length)
        expect(backward.pValue).toBeCloseTo(forward.pValue, 12)
      }),
    )
  })
})
