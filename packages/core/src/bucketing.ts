// Hash spec v1 (docs/reference/hashing.md). Every hash below is MurmurHash3 x86_32:
//   keyHash      = murmur3(utf8(key), 0)
//   seed         = murmur3(utf8(salt), 0)                  per experiment, at compile time
//   unitHash     = mix32(keyHash, seed)                    the unit's hash for this experiment
//   exposureDraw = mix32(unitHash, EXPOSURE_SEED)          exposed iff exposureDraw < threshold
//   stable:  score(v) = ln((mix32(unitHash, murmur3(utf8(v.name), seed)) + 0.5) / 2^32) / v.weight,
//            the highest score wins, ties to the earlier variant
//   ranges:  variant i wins iff floor(2^32 * W(i-1) / W) <= unitHash < floor(2^32 * W(i) / W)
// where mix32(word, seed) is MurmurHash3's finalizer fmix32(word XOR seed).
import { mixInt, murmur3 } from './murmur3.js'
import type { JsonValue, ParsedConfig, ParsedExperiment } from './types.js'

/** murmur3("splitlane.exposure") */
export const EXPOSURE_SEED = 1070573828
export const TWO_POW_32 = 4294967296
const INV_TWO_POW_32 = 1 / TWO_POW_32

export interface CompiledExperiment {
  readonly name: string
  readonly enabled: boolean
  readonly random: boolean
  readonly ranges: boolean
  readonly seed: number
  /** Exposed iff exposureDraw < exposureThreshold; 2^32 means everyone. */
  readonly exposureThreshold: number
  readonly names: readonly string[]
  readonly values: readonly JsonValue[]
  readonly weights: readonly number[]
  readonly totalWeight: number
  readonly variantSeeds: readonly number[]
  /** Indexes of the variants with weight > 0, for the stable layout. */
  readonly active: readonly number[]
  /** For each active variant: its seed and 1 / weight (the stable layout's fast path). */
  readonly activeSeeds: readonly number[]
  readonly activeInverseWeights: readonly number[]
  /** Exclusive upper bounds of each variant's range over the 32-bit hash, for the ranges layout. */
  readonly upperBounds: readonly number[]
  readonly controlIndex: number
  /** The only variant with weight > 0, or -1. */
  readonly staticIndex: number
  readonly bucketBy: readonly string[]
  readonly overrides: ReadonlyMap<string, number> | null
  /** Enabled, sticky, no overrides: a string key goes straight to hashing. */
  readonly plain: boolean
  readonly source: ParsedExperiment
}

export interface CompiledConfig {
  readonly parsed: ParsedConfig
  readonly revision: string | number | null
  readonly byName: ReadonlyMap<string, CompiledExperiment>
  readonly list: readonly CompiledExperiment[]
  readonly usesRandom: boolean
  /** Some experiment takes its key from `context.key` (no `bucketBy`). */
  readonly usesContextKey: boolean
}

/** floor(2^32 * numerator / denominator), exactly. */
function scaleToHash(numerator: number, denominator: number): number {
  return Number((BigInt(numerator) << 32n) / BigInt(denominator))
}

export function compileExperiment(name: string, experiment: ParsedExperiment): CompiledExperiment {
  const seed = murmur3(experiment.salt)
  const names = experiment.variants.map((variant) => variant.name)
  const weights = experiment.variants.map((variant) => variant.weight)
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0)
  const active = weights.flatMap((weight, index) => (weight > 0 ? [index] : []))
  let cumulative = 0
  const upperBounds = weights.map((weight) => {
    cumulative += weight
    return totalWeight === 0 ? 0 : scaleToHash(cumulative, totalWeight)
  })
  const overrides = Object.entries(experiment.overrides)
  const variantSeeds = names.map((variantName) => murmur3(variantName, seed))
  return {
    name,
    enabled: experiment.enabled,
    random: experiment.mode === 'random',
    ranges: experiment.layout === 'ranges',
    seed,
    exposureThreshold: scaleToHash(Math.round(experiment.exposure * 10_000), 1_000_000),
    names,
    values: experiment.variants.map((variant) => variant.value),
    weights,
    totalWeight,
    variantSeeds,
    active,
    activeSeeds: active.map((index) => variantSeeds[index]! | 0), // int32: small-integer array loads
    activeInverseWeights: active.map((index) => 1 / weights[index]!),
    upperBounds,
    controlIndex: names.indexOf(experiment.control),
    staticIndex: active.length === 1 ? active[0]! : -1,
    bucketBy: experiment.bucketBy,
    overrides: overrides.length === 0 ? null : new Map(overrides.map(([key, variant]) => [key, names.indexOf(variant)])),
    plain: experiment.enabled && experiment.mode === 'sticky' && overrides.length === 0,
    source: experiment,
  }
}

export function compileConfig(parsed: ParsedConfig): CompiledConfig {
  const list = Object.entries(parsed.experiments).map(([name, experiment]) => compileExperiment(name, experiment))
  return {
    parsed,
    revision: parsed.revision,
    byName: new Map(list.map((experiment) => [experiment.name, experiment])),
    list,
    usesRandom: list.some((experiment) => experiment.random),
    usesContextKey: list.some((experiment) => experiment.bucketBy.length === 0),
  }
}

// Hashes travel as int32 on the hot path (no boxing on V8) and are read unsigned (`>>> 0`).

/** The unit's hash in this experiment, as int32. */
export function unitHashOf(keyHash: number, experiment: CompiledExperiment): number {
  return mixInt(keyHash, experiment.seed)
}

/** The unit's exposure draw, unsigned. */
export function exposureDraw(unitHash: number): number {
  return mixInt(unitHash, EXPOSURE_SEED) >>> 0
}

export function isExposed(experiment: CompiledExperiment, unitHash: number): boolean {
  return experiment.exposureThreshold === TWO_POW_32 || exposureDraw(unitHash) < experiment.exposureThreshold
}

/** The stable layout's score of one variant for a unit (higher wins). */
export function rendezvousScore(experiment: CompiledExperiment, index: number, unitHash: number): number {
  const draw = mixInt(unitHash, experiment.variantSeeds[index]!) >>> 0
  return Math.log((draw + 0.5) * INV_TWO_POW_32) / experiment.weights[index]!
}

/** The stable layout by definition: the highest score wins, ties to the earlier variant. */
export function chooseByScores(experiment: CompiledExperiment, unitHash: number): number {
  const active = experiment.active
  let best = active[0]!
  let bestScore = rendezvousScore(experiment, best, unitHash)
  for (let i = 1; i < active.length; i++) {
    const index = active[i]!
    const score = rendezvousScore(experiment, index, unitHash)
    if (score > bestScore) {
      best = index
      bestScore = score
    }
  }
  return best
}

// Scores need a logarithm per variant, which costs more than hashing the key. With t = 1 - u,
// -ln(u) = t + t²/2 + t³/3 + ..., so it lies in [s, s + t⁴/(4u)] with s = t + t²/2 + t³/3, and
// a variant's -score in that interval divided by its weight. The variant with the lowest lower
// bound wins outright when its upper bound is below every other lower bound (by a margin far
// wider than rounding): that is the winner chooseByScores picks, found without a logarithm in
// about 93% of calls. Otherwise fall back to the scores.
const MARGIN = 1 + 1e-9
const THIRD = 1 / 3

function chooseStable(experiment: CompiledExperiment, unitHash: number): number {
  const seeds = experiment.activeSeeds
  const inverseWeights = experiment.activeInverseWeights
  let lowest = Infinity
  let lowestAt = 0
  let secondLowest = Infinity
  for (let i = 0; i < seeds.length; i++) {
    // t = 1 - u, computed from the complement of the draw: ((2^32 - 1 - draw) + 0.5) / 2^32
    const t = ((~mixInt(unitHash, seeds[i]!) >>> 0) + 0.5) * INV_TWO_POW_32
    const low = (t + t * t * (0.5 + t * THIRD)) * inverseWeights[i]!
    if (low < lowest) {
      secondLowest = lowest
      lowest = low
      lowestAt = i
    } else if (low < secondLowest) secondLowest = low
  }
  const t = ((~mixInt(unitHash, seeds[lowestAt]!) >>> 0) + 0.5) * INV_TWO_POW_32
  const t2 = t * t
  const high = lowest + ((t2 * t2) / (4 * (1 - t))) * inverseWeights[lowestAt]!
  return secondLowest > high * MARGIN ? experiment.active[lowestAt]! : chooseByScores(experiment, unitHash)
}

/** The index of the variant a unit with this hash gets: control when it is outside exposure. */
export function variantIndexOf(experiment: CompiledExperiment, unitHash: number): number {
  return isExposed(experiment, unitHash) ? chooseVariant(experiment, unitHash) : experiment.controlIndex
}

/** The index of the variant an exposed unit with this hash gets. */
export function chooseVariant(experiment: CompiledExperiment, unitHash: number): number {
  if (experiment.staticIndex >= 0) return experiment.staticIndex
  if (experiment.ranges) {
    const bounds = experiment.upperBounds
    const position = unitHash >>> 0
    for (let index = 0; index < bounds.length; index++) if (position < bounds[index]!) return index
    return experiment.controlIndex // unreachable: the last bound is 2^32
  }
  return chooseStable(experiment, unitHash)
}
