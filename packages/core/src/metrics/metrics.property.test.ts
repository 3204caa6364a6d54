import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMetricsRecorder, mergeMetrics } from './recorder.js'
import { addToSketch, createQuantileSketch, mergeSketches, SKETCH_RELATIVE_ACCURACY, sketchQuantile } from './sketch.js'
import type { MetricsWindow, Outcome } from './types.js'

const outcome: fc.Arbitrary<Outcome> = fc.record(
  {
    status: fc.constantFrom(200, 201, 302, 404, 500, 503),
    error: fc.boolean(),
    latencyMs: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 4),
    ttfbMs: fc.integer({ min: 0, max: 1000 }),
    promptTokens: fc.nat(1000),
    completionTokens: fc.nat(1000),
    cost: fc.integer({ min: 0, max: 1000 }).map((n) => n / 4),
    shadow: fc.boolean(),
    fallback: fc.boolean(),
    events: fc.dictionary(fc.constantFrom('conversion', 'reward', 'click'), fc.integer({ min: -5, max: 5 })),
  },
  { requiredKeys: [] },
)
const entries = fc.array(fc.tuple(fc.constantFrom('e1', 'e2'), fc.constantFrom('a', 'b', 'c'), outcome), { maxLength: 40 })

const windowOf = (list: [string, string, Outcome][], start: number): MetricsWindow => {
  const recorder = createMetricsRecorder({ start })
  for (const [experiment, variant, result] of list) recorder.record({ experiment, variant }, result)
  return recorder.take(start + 1)
}
// Integer-valued inputs (quarters for cost) keep float sums exact, so equality is exact.
const normal = (window: MetricsWindow) => JSON.parse(JSON.stringify(window)) as unknown

describe('mergeMetrics (property)', () => {
  it('is commutative and associative, and equals recording everything in one window', () => {
    fc.assert(
      fc.property(entries, entries, entries, (x, y, z) => {
        const [a, b, c] = [windowOf(x, 0), windowOf(y, 10), windowOf(z, 20)]
        const left = mergeMetrics(mergeMetrics(a, b), c)
        const right = mergeMetrics(a, mergeMetrics(b, c))
        expect(normal(left)).toEqual(normal(right))
        expect(normal(mergeMetrics(a, b))).toEqual(normal(mergeMetrics(b, a)))
        const all = windowOf([...x, ...y, ...z], 0)
        expect(normal({ ...left, start: 0, end: 1 })).toEqual(normal({ ...all, start: 0, end: 1 }))
      }),
    )
  })
})

describe('quantile sketch (property)', () => {
  const values = fc.array(
    fc.double({ min: 1e-3, max: 1e7, noNaN: true }).filter((v) => v > 0),
    { minLength: 1, maxLength: 300 },
  )

  it(`every quantile is within ${SKETCH_RELATIVE_ACCURACY * 100}% of the exact value of its rank`, () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (list, q) => {
        const sketch = createQuantileSketch()
        for (const value of list) addToSketch(sketch, value)
        const sorted = [...list].sort((a, b) => a - b)
        const exact = sorted[Math.floor(q * (list.length - 1))]!
        const estimate = sketchQuantile(sketch, q)!
        expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * (1 + 1e-9))
      }),
    )
  })

  it('keeps the bound after merging, and merging is order-free', () => {
    fc.assert(
      fc.property(values, values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, ys, q) => {
        const a = createQuantileSketch()
        const b = createQuantileSketch()
        xs.forEach((value) => addToSketch(a, value))
        ys.forEach((value) => addToSketch(b, value))
        const merged = mergeSketches(a, b)
        expect(mergeSketches(b, a).bins).toEqual(merged.bins)
        const sorted = [...xs, ...ys].sort((p, r) => p - r)
        const exact = sorted[Math.floor(q * (sorted.length - 1))]!
        expect(Math.abs(sketchQuantile(merged, q)! - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * (1 + 1e-9))
      }),
    )
  })
})
