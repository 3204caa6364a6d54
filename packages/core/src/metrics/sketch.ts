// DDSketch-style logarithmic buckets (Masson, Rim, Lee, VLDB 2019), written here rather than taken from
// @datadog/sketches-js: that package keeps its state in class instances, serializes only through
// protobuf (it requires protobufjs without declaring it) and ships CommonJS only. Here the state is a
// plain JSON object that merges by adding bins, in about 100 lines.
import type { QuantileSketch } from './types.js'

/** Relative accuracy of every latency sketch: quantiles are within 1% of the true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01
/** Values at or below this are counted as zero. */
const MIN_INDEXABLE = 1e-9

const gammaOf = (accuracy: number) => (1 + accuracy) / (1 - accuracy)

export function createQuantileSketch(): QuantileSketch {
  return { relativeAccuracy: SKETCH_RELATIVE_ACCURACY, count: 0, sum: 0, min: null, max: null, zeroCount: 0, bins: {} }
}

const LOG_GAMMA = /* @__PURE__ */ Math.log(/* @__PURE__ */ gammaOf(SKETCH_RELATIVE_ACCURACY))
/** Bin keys of negative indexes, made once. */
const NEGATIVE_KEYS: string[] = []

/** Adds a value in place. Negative, NaN and infinite values are ignored (returns false). */
export function addToSketch(sketch: QuantileSketch, value: number): boolean {
  if (!(value >= 0) || value === Infinity) return false
  sketch.count++
  sketch.sum += value
  sketch.min = sketch.min === null || value < sketch.min ? value : sketch.min
  sketch.max = sketch.max === null || value > sketch.max ? value : sketch.max
  if (value <= MIN_INDEXABLE) {
    sketch.zeroCount++
    return true
  }
  const logGamma = sketch.relativeAccuracy === SKETCH_RELATIVE_ACCURACY ? LOG_GAMMA : Math.log(gammaOf(sketch.relativeAccuracy))
  // A number key (no string building): JSON still writes it as text, and reads accept both.
  const index = Math.ceil(Math.log(value) / logGamma)
  // Values under 1 (most latencies in ms) have negative indexes, which V8 would turn into a new string on every add.
  const key = index >= 0 ? index : (NEGATIVE_KEYS[-index] ??= String(index))
  sketch.bins[key] = (sketch.bins[key] ?? 0) + 1
  return true
}

/** A new sketch holding both inputs' values. Throws a RangeError if their accuracies differ. */
export function mergeSketches(a: QuantileSketch, b: QuantileSketch): QuantileSketch {
  if (a.relativeAccuracy !== b.relativeAccuracy)
    throw new RangeError(`mergeSketches: relative accuracies differ (${a.relativeAccuracy} and ${b.relativeAccuracy})`)
  const bins: Record<string, number> = { ...a.bins }
  for (const [index, count] of Object.entries(b.bins)) bins[index] = (bins[index] ?? 0) + count
  const pick = (x: number | null, y: number | null, choose: (p: number, q: number) => number) =>
    x === null ? y : y === null ? x : choose(x, y)
  return {
    relativeAccuracy: a.relativeAccuracy,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: pick(a.min, b.min, Math.min),
    max: pick(a.max, b.max, Math.max),
    zeroCount: a.zeroCount + b.zeroCount,
    bins,
  }
}

export function copySketch(sketch: QuantileSketch): QuantileSketch {
  return { ...sketch, bins: { ...sketch.bins } }
}

/** The sketch's values as (value, count) pairs in increasing order; each value is its bucket's representative. */
export function sketchBuckets(sketch: QuantileSketch): { value: number; count: number }[] {
  const gamma = gammaOf(sketch.relativeAccuracy)
  const buckets = Object.entries(sketch.bins)
    .map(([index, count]) => ({ index: Number(index), count }))
    .filter((bucket) => bucket.count > 0)
    .sort((x, y) => x.index - y.index)
    .map(({ index, count }) => ({ value: clamp((2 * gamma ** index) / (gamma + 1), sketch), count }))
  return sketch.zeroCount > 0 ? [{ value: sketch.min ?? 0, count: sketch.zeroCount }, ...buckets] : buckets
}

const clamp = (value: number, sketch: QuantileSketch) => Math.min(Math.max(value, sketch.min ?? value), sketch.max ?? value)

/**
 * The value at quantile `q` (0..1): within `relativeAccuracy` of the input of rank `floor(q * (count - 1))`
 * (0-based, sorted ascending). `null` for an empty sketch.
 */
export function sketchQuantile(sketch: QuantileSketch, q: number): number | null {
  if (sketch.count === 0 || !(q >= 0 && q <= 1)) return null
  const rank = Math.floor(q * (sketch.count - 1))
  let seen = 0
  for (const bucket of sketchBuckets(sketch)) {
    seen += bucket.count
    if (seen > rank) return bucket.value
  }
  return sketch.max
}

/** The exact mean (from the exact sum), `null` for an empty sketch. */
export function sketchMean(sketch: QuantileSketch): number | null {
  return sketch.count === 0 ? null : sketch.sum / sketch.count
}
