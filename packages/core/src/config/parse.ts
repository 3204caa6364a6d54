import type { z } from 'zod'
import { SplitlaneConfigError, type ConfigIssue } from '../errors.js'
import type {
  ExperimentConfig,
  JsonValue,
  ParsedConfig,
  ParsedExperiment,
  ParsedExperimentLayer,
  ParsedRule,
  RuleConfig,
  SplitlaneConfig,
} from '../types.js'
import { checkLimits } from './limits.js'
import { englishFallback } from './english.js'
import { plainExperiment, type ExperimentOutput } from './plain-experiment.js'
import { configSchema, NAME_PATTERN } from './schema.js'

export type SafeParseResult = { success: true; data: ParsedConfig } | { success: false; error: SplitlaneConfigError }

/** Validates a config and fills in defaults. Never throws; collects every problem with its path. */
export function safeParseConfig(input: unknown): SafeParseResult {
  try {
    const limits = checkLimits(input)
    if (limits.length > 0)
      return { success: false, error: new SplitlaneConfigError(limits.map(({ path, message }) => ({ path: formatPath(path), message }))) }
    return parseChecked(input)
  } catch (cause) {
    // A getter or proxy in a config built in code; a plain JSON document cannot get here.
    const error = new SplitlaneConfigError([{ path: '', message: `reading the config threw: ${describeError(cause)}` }])
    return { success: false, error }
  }
}

function describeError(cause: unknown): string {
  try {
    return cause instanceof Error ? cause.message : String(cause)
  } catch {
    return 'an unprintable value'
  }
}

function parseChecked(input: unknown): SafeParseResult {
  const plain = splitPlain(input)
  const result = configSchema.safeParse(plain === undefined ? input : plain.rest, englishFallback())
  if (!result.success) return { success: false, error: new SplitlaneConfigError(toIssues(result.error.issues)) }
  const experiments: Record<string, ParsedExperiment> = {}
  const checked = result.data.experiments
  const names = plain?.names ?? Object.keys(checked)
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    experiments[name] = toParsedExperiment(name, plain?.outputs[index] ?? checked[name]!)
  }
  const { segments, layers, holdout } = result.data
  return {
    success: true,
    data: {
      version: 1,
      revision: result.data.revision ?? null,
      experiments,
      segments: segments ?? {},
      layers: Object.fromEntries(Object.entries(layers ?? {}).map(([name, layer]) => [name, { ...layer, salt: layer.salt ?? name }])),
      holdout:
        typeof holdout === 'number' || holdout === undefined
          ? { percent: holdout ?? 0, salt: HOLDOUT_SALT }
          : { percent: holdout.percent, salt: holdout.salt ?? HOLDOUT_SALT },
    },
  }
}

/** An experiment as zod gives it, defaults filled in. zod's output objects are its own fresh copies, never the caller's. */
function toParsedExperiment(name: string, experiment: ExperimentOutput): ParsedExperiment {
  // Field by field, not `{ ...rest }` after a destructuring: object rest is a slow runtime copy in V8, and
  // it was most of the time a 1,000-experiment config took to compile. The schema is strict, so this is every field.
  const { bucketBy, control, salt, overrides, variants, rules, layer, description } = experiment
  // Variants filled in place rather than copied again (a copy per variant was a fifth of a 10,000-experiment
  // compile, with its GC). `??=` keeps the key order `{ ...variant, value: variant.value ?? null }` gave.
  for (let at = 0; at < variants.length; at++) (variants[at] as { value?: JsonValue | null }).value ??= null
  const parsed: ParsedExperiment = {
    variants: variants as ParsedExperiment['variants'],
    control: control ?? variants[0]!.name,
    enabled: experiment.enabled,
    exposure: experiment.exposure,
    mode: experiment.mode,
    layout: experiment.layout,
    salt: salt ?? name,
    bucketBy: bucketBy === undefined ? [] : typeof bucketBy === 'string' ? [bucketBy] : bucketBy,
    overrides: overrides ?? {},
    rules: rules ?? [],
    layer: layer === undefined ? null : parseLayer(layer),
  }
  if (description !== undefined) parsed.description = description
  return parsed
}

/** The keys of a plain data object (no prototype but Object's or none, no symbol or non-enumerable keys); else undefined. */
function plainKeys(value: unknown): string[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const prototype: unknown = Object.getPrototypeOf(value)
  if ((prototype !== Object.prototype && prototype !== null) || Object.hasOwn(value, 'constructor')) return undefined
  const keys = Object.keys(value)
  return Object.getOwnPropertySymbols(value).length === 0 && Object.getOwnPropertyNames(value).length === keys.length ? keys : undefined
}

/** Does Object.prototype carry an enumerable key (which zod's `for...in` would see on every object)? */
function prototypeHasEnumerableKeys(): boolean {
  for (const key in Object.prototype) if (key !== undefined) return true
  return false
}

/**
 * The experiments plainExperiment reads without zod (aligned with `names`, undefined where zod must
 * look), and the config with those taken out for zod to check. They raise no issue in the whole
 * config's parse and take no part in its cross checks, so zod's verdict on the rest is its verdict on
 * the whole, issue for issue. Undefined when zod reads the config whole (it is not plain data).
 */
function splitPlain(
  input: unknown,
): { rest: Record<string, unknown>; names: string[]; outputs: (ExperimentOutput | undefined)[] } | undefined {
  if (plainKeys(input) === undefined || prototypeHasEnumerableKeys()) return undefined
  const experiments = (input as Record<string, unknown>).experiments as Record<string, unknown>
  const names = plainKeys(experiments)
  if (names === undefined) return undefined
  const outputs: (ExperimentOutput | undefined)[] = []
  const rest: Record<string, unknown> = {}
  let read = 0
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    const output = NAME_PATTERN.test(name) ? plainExperiment(experiments[name]) : undefined
    outputs.push(output)
    if (output === undefined) rest[name] = experiments[name]
    else read++
  }
  return read === 0 ? undefined : { rest: { ...(input as Record<string, unknown>), experiments: rest }, names, outputs }
}

/** The default holdout salt: one holdout across every experiment. */
export const HOLDOUT_SALT = 'splitlane.holdout'

function parseLayer(
  layer: string | { name: string; slice?: readonly (readonly [number, number])[] | readonly [number, number] },
): ParsedExperimentLayer {
  if (typeof layer === 'string') return { name: layer, slices: [[0, 100]] }
  const slice = layer.slice
  if (slice === undefined) return { name: layer.name, slices: [[0, 100]] }
  const list = (Array.isArray(slice[0]) ? slice : [slice]) as readonly (readonly [number, number])[]
  return { name: layer.name, slices: list.map(([start, end]) => [start, end]) }
}

/**
 * A parsed config as config input again (defaults stay filled in): `safeParseConfig(toConfigInput(parsed))`
 * gives `parsed` back. Use it to edit the config in use, e.g. `splitter.update(toConfigInput(changed))`.
 */
export function toConfigInput(parsed: ParsedConfig): SplitlaneConfig {
  const experiments: Record<string, ExperimentConfig> = {}
  for (const [name, experiment] of Object.entries(parsed.experiments)) {
    const { bucketBy, rules, layer, ...rest } = experiment
    experiments[name] = {
      ...rest,
      ...(bucketBy.length > 0 ? { bucketBy } : {}),
      ...(rules.length > 0 ? { rules: rules.map(toRuleInput) } : {}),
      ...(layer === null ? {} : { layer: { name: layer.name, slice: layer.slices } }),
    }
  }
  const { revision, segments, layers, holdout } = parsed
  return { version: 1, ...(revision === null ? {} : { revision }), experiments, segments, layers, holdout }
}

/** A parsed rule as rule input. The schema let through exactly one of `variant`, `weights` and `exposure`. */
function toRuleInput(rule: ParsedRule): RuleConfig {
  const { variant, weights, exposure } = rule
  if (variant !== undefined) return { ...rule, variant }
  if (weights !== undefined) return { ...rule, weights }
  return { ...rule, exposure: exposure ?? 100 }
}

/** Validates a config and fills in defaults; throws `SplitlaneConfigError` listing every problem. */
export function parseConfig(input: unknown): ParsedConfig {
  const result = safeParseConfig(input)
  if (!result.success) throw result.error
  return result.data
}

/** Types a config written in code (names and variants are checked when it is parsed). */
export function defineConfig<const C extends SplitlaneConfig>(config: C): C {
  return config
}

/** `experiments.checkout.variants[1].weight` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else {
      const name = String(segment)
      text += /^[A-Za-z_$][\w$-]*$/.test(name) ? (text ? `.${name}` : name) : `[${JSON.stringify(name)}]`
    }
  }
  return text
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  root: ['$schema', 'version', 'revision', 'experiments', 'segments', 'layers', 'holdout', 'rollout'],
  experiment: [
    'variants',
    'control',
    'enabled',
    'exposure',
    'mode',
    'layout',
    'salt',
    'bucketBy',
    'overrides',
    'rules',
    'layer',
    'description',
  ],
  rule: ['id', 'when', 'variant', 'weights', 'exposure', 'description'],
  condition: ['attribute', 'op', 'values', 'caseInsensitive', 'negate', 'all', 'any', 'not', 'segment'],
  variant: ['name', 'weight', 'value', 'description'],
}

function configKnownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.root!
  if (path.length === 2 && path[0] === 'experiments') return KNOWN_KEYS.experiment!
  if (path.length === 4 && path[2] === 'variants') return KNOWN_KEYS.variant!
  if (path.length === 4 && path[2] === 'rules') return KNOWN_KEYS.rule!
  if (path.length >= 2 && (path[0] === 'segments' || path.includes('when'))) return KNOWN_KEYS.condition!
  return []
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

function suggest(key: string, known: readonly string[]): string {
  const best = closest(key, known)
  return best === undefined ? '' : ` (did you mean "${best}"?)`
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined
}

/** zod's parameters of an issue: everything but what `ConfigIssue` holds already and the raw input. */
function paramsOf(issue: z.core.$ZodIssue): Record<string, unknown> {
  const {
    code: _code,
    path: _path,
    message: _message,
    input: _input,
    inst: _inst,
    ...rest
  } = issue as z.core.$ZodIssue & {
    input?: unknown
    inst?: unknown
  }
  const params = (rest as { params?: Record<string, unknown> }).params
  delete (rest as { params?: unknown }).params
  delete (rest as { issues?: unknown }).issues
  return { ...rest, ...params }
}

/**
 * One issue per problem, each with its full path; unknown keys get a suggestion from the keys
 * `knownKeysAt(path)` names for the object at that path (the config's by default).
 */
export function toIssues(
  issues: readonly z.core.$ZodIssue[],
  knownKeysAt: (path: readonly PropertyKey[]) => readonly string[] = configKnownKeysAt,
): ConfigIssue[] {
  const out: ConfigIssue[] = []
  const seenPaths = new Set<string>()
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path)
      for (const key of issue.keys) {
        const suggestion = closest(key, known)
        out.push({
          path: formatPath([...issue.path, key]),
          message: `unknown key "${key}"${suggest(key, known)}`,
          code: issue.code,
          params: suggestion === undefined ? { key } : { key, suggestion },
        })
      }
      continue
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0]?.message ?? issue.message
      out.push({ path: formatPath(issue.path), message: `invalid name: ${inner}`, code: issue.code, params: paramsOf(issue) })
      continue
    }
    const path = formatPath(issue.path)
    if (seenPaths.has(path) && issue.code !== 'custom') continue // one message per value
    seenPaths.add(path)
    const params = paramsOf(issue)
    if (issue.code === 'custom' && typeof params.check === 'string') {
      // core's own checks: the check's name is the stable code
      const { check, ...rest } = params
      out.push({ path, message: issue.message, code: check, params: rest })
    } else out.push({ path, message: issue.message, code: issue.code, params })
  }
  return out
}
