// The common experiment (a few variants with names and weights, scalar values, no overrides, rules or
// layer) read without zod. zod's object parse was a third of a 10,000-experiment compile. An experiment
// this reader cannot vouch for goes to zod, which then decides and words every problem, so a config with
// any problem is reported exactly as before. Every check below mirrors the schema's (schema.ts): reading
// fields with `.`, presence with `in` and unknown keys with `for...in`, as zod does.
import type { z } from 'zod/mini'
import { MAX_VARIANTS, MAX_WEIGHT, NAME_PATTERN, type experimentSchema } from './schema.js'

/** What zod's parse of one experiment gives. */
export type ExperimentOutput = z.output<typeof experimentSchema>

// Spelled out, not taken from the schema's shape (or parse.ts's KNOWN_KEYS): a field the schema gains
// must be read here before an experiment with it may skip zod.
const EXPERIMENT_KEYS = new Set([
  'variants',
  'control',
  'enabled',
  'exposure',
  'mode',
  'layout',
  'salt',
  'bucketBy',
  'rules',
  'description',
])
const VARIANT_KEYS = new Set(['name', 'weight', 'value', 'description'])
/** Beyond this many variants, zod (the duplicate check below compares pairs). */
const MAX_PLAIN_VARIANTS = 16

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const isName = (value: unknown): value is string => typeof value === 'string' && NAME_PATTERN.test(value)
const isScalar = (value: unknown) =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))

type VariantOutput = ExperimentOutput['variants'][number]

/** zod's output for a variant the schema accepts, or undefined when zod must look. */
function plainVariant(value: unknown): VariantOutput | undefined {
  if (!isObject(value)) return undefined
  for (const key in value) if (!VARIANT_KEYS.has(key)) return undefined
  const { name, weight, value: payload, description } = value
  if (!isName(name)) return undefined
  if (weight !== undefined && !(typeof weight === 'number' && Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT))
    return undefined
  if (payload !== undefined && !isScalar(payload)) return undefined
  if (description !== undefined && typeof description !== 'string') return undefined
  // zod's key order (the shape's; a key present in the input kept even when undefined; weight always, a
  // default), with the value parse.ts fills in (null when absent, last) already in place: one object, its final shape.
  const hasValue = 'value' in value
  const hasDescription = 'description' in value
  if (hasValue && hasDescription) return { name, weight: weight ?? 1, value: (payload ?? null) as VariantOutput['value'], description }
  if (hasValue) return { name, weight: weight ?? 1, value: (payload ?? null) as VariantOutput['value'] }
  if (hasDescription) return { name, weight: weight ?? 1, description, value: null }
  return { name, weight: weight ?? 1, value: null }
}

/**
 * zod's output for an experiment that passes every check of the schema (crossCheckExperiment's too) and
 * takes no part in the config's cross checks (no rules, no layer); undefined when zod must look.
 */
export function plainExperiment(input: unknown): ExperimentOutput | undefined {
  if (!isObject(input)) return undefined
  for (const key in input) if (!EXPERIMENT_KEYS.has(key)) return undefined
  // zod reads every field of the shape, inherited or not enumerable too: these two are never read here
  if ('overrides' in input || 'layer' in input) return undefined
  const { variants: list, control, enabled, exposure, mode, layout, salt, bucketBy, rules, description } = input
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_VARIANTS || list.length > MAX_PLAIN_VARIANTS) return undefined
  const read: VariantOutput[] = []
  let allZero = true
  for (let index = 0; index < list.length; index++) {
    const variant = plainVariant(list[index])
    if (variant === undefined) return undefined
    for (const earlier of read) if (earlier.name === variant.name) return undefined // duplicate_variant
    if (variant.weight !== 0) allZero = false
    read.push(variant)
  }
  // Kept by the parsed config: a copy of the exact length (pushing onto [] reserves 17 slots). Sliced from
  // our own array, never the caller's, whose map or constructor could be anything.
  const variants = read.slice()
  if (control !== undefined && !(isName(control) && variants.some((variant) => variant.name === control))) return undefined
  if (enabled !== undefined && typeof enabled !== 'boolean') return undefined
  if (enabled !== false && allZero) return undefined // all_weights_zero
  if (exposure !== undefined && !isExposure(exposure)) return undefined
  if (mode !== undefined && mode !== 'sticky' && mode !== 'random') return undefined
  if (layout !== undefined && layout !== 'stable' && layout !== 'ranges') return undefined
  if (salt !== undefined && !(typeof salt === 'string' && salt.length > 0)) return undefined
  if (rules !== undefined && !(Array.isArray(rules) && rules.length === 0)) return undefined
  if (description !== undefined && typeof description !== 'string') return undefined
  let keys: string[] | undefined
  if (Array.isArray(bucketBy)) {
    if (bucketBy.length === 0) return undefined
    keys = []
    for (let index = 0; index < bucketBy.length; index++) {
      const key: unknown = bucketBy[index]
      if (!isName(key)) return undefined
      keys.push(key)
    }
    keys = keys.slice() // the exact length, as above
  } else if (bucketBy !== undefined && !isName(bucketBy)) return undefined
  return {
    variants,
    control: control,
    enabled: enabled ?? true,
    exposure: exposure ?? 100,
    mode: mode ?? 'sticky',
    layout: layout ?? 'stable',
    salt: salt,
    bucketBy: keys ?? (bucketBy as string | undefined),
    rules: rules === undefined ? undefined : [],
    description: description,
  }
}

/** The schema's exposure: a number 0..100 with at most 4 decimals. */
const isExposure = (value: unknown): value is number =>
  typeof value === 'number' &&
  Number.isFinite(value) &&
  value >= 0 &&
  value <= 100 &&
  Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6
