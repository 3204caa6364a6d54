// GrowthBook (sdk-js src/util.ts, test/cases.json):
//   v1: n = (fnv1a32(value + seed) % 1000) / 1000
//   v2: n = (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000
//   ranges: weights w (fractions; equal weights unless they sum to 0.99..1.01), coverage c:
//           variant i owns [W(i-1), W(i-1) + c * w(i)); outside every range = not in the experiment
// fnv1a32 runs over UTF-16 code units, as in the JavaScript SDK. Weights are millionths and the
// coverage is exposure / 100, divided from integers so each double equals the one GrowthBook parses.
import { hex, type CompatLayout } from './index.js'

/** FNV-1a 32-bit over UTF-16 code units, as GrowthBook's JavaScript SDK computes it. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24)
  }
  return hash >>> 0
}

/** GrowthBook's getBucketRanges. */
export function growthbookRanges(count: number, coverage: number, weights: readonly number[]): [number, number][] {
  coverage = Math.min(1, Math.max(0, coverage))
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const used = weights.length !== count || total < 0.99 || total > 1.01 ? new Array<number>(count).fill(1 / count) : weights
  let cumulative = 0
  return used.map((weight) => {
    const start = cumulative
    cumulative += weight
    return [start, start + coverage * weight]
  })
}

/** GrowthBook's hash: fnv1a32 of the seed and value for the version (its `n` is `growthbookPosition` of it). */
export const growthbookHash = (seed: string, value: string, version: 1 | 2): number =>
  version === 2 ? fnv1a32(String(fnv1a32(seed + value))) : fnv1a32(value + seed)

/** GrowthBook's `n` in [0, 1) from the hash: thousandths in v1, ten-thousandths in v2. */
export const growthbookPosition = (hash: number, version: 1 | 2): number => (version === 2 ? (hash % 10000) / 10000 : (hash % 1000) / 1000)

/** GrowthBook's chooseVariation: the first range holding n, or -1. */
export const chooseVariation = (n: number, ranges: readonly (readonly [number, number])[]): number =>
  ranges.findIndex(([start, end]) => n >= start && n < end)

export function growthbookLayout(seed: string, version: 1 | 2, weights: readonly number[], exposure: number): CompatLayout {
  const ranges = growthbookRanges(
    weights.length,
    Math.round(exposure * 10_000) / 1_000_000,
    weights.map((weight) => weight / 1_000_000),
  )
  return {
    hash: (key) => growthbookHash(seed, key, version),
    // GrowthBook runs no experiment with fewer than two variations
    choose: (_key, hash) => (weights.length < 2 ? -1 : chooseVariation(growthbookPosition(hash, version), ranges)),
    explain: (_key, hash) =>
      `GrowthBook hash v${version} (seed ${JSON.stringify(seed)}): fnv1a32 ${hex(hash)}, n = ${growthbookPosition(hash, version)} against ranges ${ranges.map(([start, end]) => `[${start}, ${end})`).join(', ')}`,
  }
}
