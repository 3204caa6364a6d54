// Hash spec v1 (docs/reference/hashing.md). Every hash below is MurmurHash3 x86_32:
//   keyHash      = murmur3(utf8(key), 0)
//   seed         = murmur3(utf8(salt), 0)                  per experiment, at compile time
//   unitHash     = mix32(keyHash, seed)                    the unit's hash for this experiment
//   exposureDraw = mix32(unitHash, EXPOSURE_SEED)          exposed iff exposureDraw < threshold
//   stable:  score(v) = ln((mix32(unitHash, murmur3(utf8(v.name), seed)) + 0.5) / 2^32) / v.weight,
//            the highest score wins, ties to the earlier variant
//   ranges:  variant i wins iff floor(2^32 * W(i-1) / W) <= unitHash < floor(2^32 * W(i) / W)
//   holdout: held out iff mix32(keyHash, murmur3(utf8(holdoutSalt), 0)) < floor(2^32 * percent / 100)
//   layers:  position = mix32(keyHash, murmur3(utf8(layerSalt), 0)); in the experiment's slice
//            iff floor(2^32 * start / 100) <= position < floor(2^32 * end / 100) for one of its slices
// where mix32(word, seed) is MurmurHash3's finalizer fmix32(word XOR seed), read unsigned.
import { compileCompat, type CompatLayout } from './compat/index.js'
import { mixInt, murmur3 } from './murmur3.js'
import { createConditionCompiler, type ConditionNode } from './targeting/conditions.js'
import type { Condition, JsonValue, ParsedConfig, ParsedExperiment } from './types.js'

/** murmur3("splitlane.exposure") */
export const EXPOSURE_SEED = 1070573828
export const TWO_POW_32 = 4294967296
const INV_TWO_POW_32 = 1 / TWO_POW_32

export interface CompiledExperiment {
  readonly name: string
  readonly enabled: boolean
  readonly random: boolean
  readonly ranges: boolean
  /** Another system's bucketing (layout { compat }), or null. Such experiments take the targeted path. */
  readonly compat: CompatLayout | null
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
  /** Exclusive upper bounds of each variant's range over the 32-bit hash, for the ranges layout (empty for the others). */
  readonly upperBounds: readonly number[]
  readonly controlIndex: number
  /** The only variant with weight > 0, or -1. */
  readonly staticIndex: number
  readonly bucketBy: readonly string[]
  readonly overrides: ReadonlyMap<string, number> | null
  /** Enabled, sticky, no overrides, rules, layer or holdout: a string key goes straight to hashing. */
  readonly plain: boolean
  /** Has rules, a layer or the holdout (the request path takes the longer way). */
  readonly targeted: boolean
  readonly source: ParsedExperiment
  /** Ordered targeting rules, or null when there are none. */
  readonly rules: readonly CompiledRule[] | null
  /** Held out iff mix32(keyHash, holdoutSeed) < holdoutThreshold; 0 means no holdout. */
  readonly holdoutSeed: number
  readonly holdoutThreshold: number
  /** The layer's name and seed, and the slice bounds over its hash as [start, end) pairs; null outside layers. */
  readonly layer: { readonly name: string; readonly seed: number; readonly bounds: readonly number[] } | null
}

export interface CompiledRule {
  readonly id: string
  readonly kind: 'variant' | 'weights' | 'exposure'
  readonly when: ConditionNode
  /** The pinned variant's index, or -1. */
  readonly pinIndex: number
  /** For weights and exposure rules: the experiment with the rule's weights or exposure. */
  readonly target: CompiledExperiment | null
}

/** What experiments share: the holdout and the layers. */
interface ConfigParts {
  readonly compileCondition: (condition: Condition) => ConditionNode
  readonly holdoutSeed: number
  readonly holdoutThreshold: number
  readonly layerSeeds: ReadonlyMap<string, number>
}

const percentToHash = (percent: number) => scaleToHash(Math.round(percent * 10_000), 1_000_000)

export interface CompiledConfig {
  readonly parsed: ParsedConfig
  readonly revision: string | number | null
  readonly byName: ReadonlyMap<string, CompiledExperiment>
  readonly list: readonly CompiledExperiment[]
  readonly usesRandom: boolean
  /** Some experiment takes its key from `context.key` (no `bucketBy`). */
  readonly usesContextKey: boolean
}

/**
 * floor(2^32 * numerator / denominator), exactly, for non-negative integers. In two 16-bit steps of exact
 * double arithmetic while every product stays below 2^53 (config weights always do); BigInt otherwise.
 * (BigInt per bound was most of a large config's compile time, in allocation and GC.)
 */
export function scaleToHash(numerator: number, denominator: number): number {
  if (numerator >= 2 ** 36 || denominator >= 2 ** 36) return Number((BigInt(numerator) << 32n) / BigInt(denominator))
  const high = Math.floor((numerator * 65_536) / denominator)
  const low = Math.floor(((numerator * 65_536 - high * denominator) * 65_536) / denominator)
  return high * 65_536 + low
}

const NO_BOUNDS: readonly number[] = []

/** [0, 1, ..., count - 1], shared by every experiment whose variants all have weight > 0 (never mutated). */
const allIndexes: number[][] = []
function indexesUpTo(count: number): readonly number[] {
  let indexes = allIndexes[count]
  if (indexes === undefined) {
    indexes = []
    for (let index = 0; index < count; index++) indexes.push(index)
    allIndexes[count] = indexes
  }
  return indexes
}

export function compileExperiment(name: string, experiment: ParsedExperiment, parts?: ConfigParts): CompiledExperiment {
  const seed = murmur3(experiment.salt)
  // One pass over the variants (a config revision compiles every experiment; a live update pays it each time).
  // Few arrays per experiment: a 10,000-experiment config keeps them all alive, and the garbage collector
  // copies the survivors; when every variant is active, the active lists are the variant lists themselves.
  const variants = experiment.variants
  const count = variants.length
  // Mapped, not pushed: map gives packed arrays of the exact length (the hot path's loads stay fast), where
  // pushing onto [] reserves 17 slots, most of what a compiled experiment weighed.
  const names = variants.map((variant) => variant.name)
  const values = variants.map((variant) => variant.value)
  const weights = variants.map((variant) => variant.weight)
  const variantSeeds = variants.map((variant) => murmur3(variant.name, seed) | 0) // int32: small-integer loads (mix32 reads the same bits)
  const inverseWeights = variants.map((variant) => 1 / variant.weight)
  let totalWeight = 0
  let activeCount = 0
  for (let index = 0; index < count; index++) {
    totalWeight += weights[index]!
    if (weights[index]! > 0) activeCount++
  }
  let active = indexesUpTo(count)
  let activeSeeds: readonly number[] = variantSeeds
  let activeInverseWeights: readonly number[] = inverseWeights
  if (activeCount < count) {
    const indexes: number[] = []
    const seeds: number[] = []
    const inverse: number[] = []
    for (let index = 0; index < count; index++)
      if (weights[index]! > 0) {
        indexes.push(index)
        seeds.push(variantSeeds[index]!)
        inverse.push(inverseWeights[index]!)
      }
    active = indexes
    activeSeeds = seeds
    activeInverseWeights = inverse
  }
  const ranges = experiment.layout === 'ranges'
  let upperBounds: readonly number[] = NO_BOUNDS
  if (ranges) {
    const bounds: number[] = []
    let cumulative = 0
    for (let index = 0; index < count; index++) {
      cumulative += weights[index]!
      bounds.push(totalWeight === 0 ? 0 : scaleToHash(cumulative, totalWeight))
    }
    upperBounds = bounds
  }
  const overrideKeys = Object.keys(experiment.overrides)
  const rules =
    parts === undefined || experiment.rules.length === 0 ? null : experiment.rules.map((rule) => compileRule(name, experiment, rule, parts))
  const holdoutThreshold = parts?.holdoutThreshold ?? 0
  const layerSeed = experiment.layer === null ? undefined : parts?.layerSeeds.get(experiment.layer.name)
  const layer =
    experiment.layer === null || layerSeed === undefined
      ? null
      : {
          name: experiment.layer.name,
          seed: layerSeed,
          bounds: experiment.layer.slices.flatMap(([start, end]) => [percentToHash(start), percentToHash(end)]),
        }
  const compat = typeof experiment.layout === 'object' ? compileCompat(experiment.layout, experiment) : null
  return {
    name,
    enabled: experiment.enabled,
    random: experiment.mode === 'random',
    ranges,
    compat,
    seed,
    exposureThreshold: percentToHash(experiment.exposure),
    names,
    values,
    weights,
    totalWeight,
    variantSeeds,
    active,
    activeSeeds,
    activeInverseWeights,
    upperBounds,
    controlIndex: names.indexOf(experiment.control),
    staticIndex: active.length === 1 ? active[0]! : -1,
    bucketBy: experiment.bucketBy,
    overrides: overrideKeys.length === 0 ? null : new Map(overrideKeys.map((key) => [key, names.indexOf(experiment.overrides[key]!)])),
    plain:
      experiment.enabled &&
      experiment.mode === 'sticky' &&
      overrideKeys.length === 0 &&
      rules === null &&
      layer === null &&
      holdoutThreshold === 0 &&
      compat === null,
    source: experiment,
    rules,
    targeted: rules !== null || layer !== null || holdoutThreshold !== 0 || compat !== null,
    holdoutSeed: parts?.holdoutSeed ?? 0,
    holdoutThreshold,
    layer,
  }
}

function compileRule(
  name: string,
  experiment: ParsedExperiment,
  rule: ParsedExperiment['rules'][number],
  parts: ConfigParts,
): CompiledRule {
  const base = { ...experiment, rules: [], layer: null }
  let target: CompiledExperiment | null = null
  if (rule.weights !== undefined) {
    const weights = rule.weights
    target = compileExperiment(name, {
      ...base,
      variants: experiment.variants.map((variant) => ({
        ...variant,
        weight: Object.hasOwn(weights, variant.name) ? weights[variant.name]! : 0,
      })),
    })
  } else if (rule.exposure !== undefined) target = compileExperiment(name, { ...base, exposure: rule.exposure })
  return {
    id: rule.id,
    kind: rule.weights !== undefined ? 'weights' : rule.exposure !== undefined ? 'exposure' : 'variant',
    when: parts.compileCondition(rule.when),
    pinIndex: rule.variant === undefined ? -1 : experiment.variants.findIndex((variant) => variant.name === rule.variant),
    target,
  }
}

export function compileConfig(parsed: ParsedConfig): CompiledConfig {
  const parts: ConfigParts = {
    compileCondition: createConditionCompiler(parsed.segments),
    holdoutSeed: murmur3(parsed.holdout.salt) | 0,
    holdoutThreshold: percentToHash(parsed.holdout.percent),
    layerSeeds: new Map(Object.entries(parsed.layers).map(([name, layer]) => [name, murmur3(layer.salt) | 0])),
  }
  const list: CompiledExperiment[] = []
  const byName = new Map<string, CompiledExperiment>()
  let usesRandom = false
  let usesContextKey = false
  const names = Object.keys(parsed.experiments)
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    const experiment = compileExperiment(name, parsed.experiments[name]!, parts)
    list.push(experiment)
    byName.set(name, experiment)
    usesRandom ||= experiment.random
    usesContextKey ||= experiment.bucketBy.length === 0
  }
  return { parsed, revision: parsed.revision, byName, list, usesRandom, usesContextKey }
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
  let lowestT = 0
  let secondLowest = Infinity
  for (let i = 0; i < seeds.length; i++) {
    // t = 1 - u, computed from the complement of the draw: ((2^32 - 1 - draw) + 0.5) / 2^32
    const t = ((~mixInt(unitHash, seeds[i]!) >>> 0) + 0.5) * INV_TWO_POW_32
    const low = (t + t * t * (0.5 + t * THIRD)) * inverseWeights[i]!
    if (low < lowest) {
      secondLowest = lowest
      lowest = low
      lowestAt = i
      lowestT = t
    } else if (low < secondLowest) secondLowest = low
  }
  const t = lowestT
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

/** Is the unit (by its key hash) in the holdout? */
export function isHeldOut(experiment: CompiledExperiment, keyHash: number): boolean {
  return mixInt(keyHash, experiment.holdoutSeed) >>> 0 < experiment.holdoutThreshold
}

/** The unit's position in the experiment's layer, unsigned. */
export function layerPosition(layer: NonNullable<CompiledExperiment['layer']>, keyHash: number): number {
  return mixInt(keyHash, layer.seed) >>> 0
}

/** Is the unit (by its key hash) inside the experiment's slice of its layer? True outside layers. */
export function isInLayerSlice(experiment: CompiledExperiment, keyHash: number): boolean {
  const layer = experiment.layer
  if (layer === null) return true
  const position = layerPosition(layer, keyHash)
  const bounds = layer.bounds
  for (let i = 0; i < bounds.length; i += 2) if (position >= bounds[i]! && position < bounds[i + 1]!) return true
  return false
}
