// Helpers every converter shares: paths, field accounting, weights, names and Kubernetes Service URLs.
// Imported meshes become configs with regex rules (header regex matches): install the RE2 engine.
import '@splitlane/core/regex'
import { MAX_WEIGHT, NAME_PATTERN, type Condition, type JsonValue } from '@splitlane/core'
import { formatPath } from '@splitlane/core/adapter'
import type { MeshWarning } from './types.js'

export type Path = readonly (string | number)[]

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {})
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [])

/** Entries of any one list read from a manifest (rules, backendRefs, routes, matches, headers, steps); see docs/cli.md#limits. */
export const MAX_LIST_ENTRIES = 1000

/** A field of a manifest that cannot be read as what it must be; the import stops (exit 2) with its path. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError'
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message)
  }
}

function received(value: unknown): string {
  if (isRecord(value)) {
    const keys = Object.keys(value)
    // `name: {{ .Values.name }}` reads in YAML as a map whose one key is `{ .Values.name }`
    const template = keys.length === 1 && keys[0]!.startsWith('{') && value[keys[0]!] === null
    return template ? `a map (an unrendered template {${keys[0]}}? run helm template first)` : 'a map'
  }
  if (Array.isArray(value)) return 'a list'
  const text = JSON.stringify(value) ?? String(value)
  return `${typeof value === 'string' ? 'the string ' : ''}${text.length > 60 ? `${text.slice(0, 60)}...` : text}`
}

/** Stops the import: `path` holds `value`, which is not what `expected` says. */
export function wrongType(path: Path, expected: string, value: unknown): never {
  throw new ManifestError(formatPath(path), `expected ${expected}, received ${received(value)}`)
}

// Readers of one field: `null` and a missing field are both unset (as in `kubectl apply`), anything of another type stops the import.
const own = (object: Record<string, unknown>, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined)

export function readString(object: Record<string, unknown>, key: string, path: Path): string | undefined {
  const value = own(object, key)
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? value : wrongType([...path, key], 'a string', value)
}

/** A number; `what` says which (e.g. `a weight (an integer >= 0)`), and `valid` says whether a number is one. */
export function readNumber(
  object: Record<string, unknown>,
  key: string,
  path: Path,
  what = 'a number',
  valid: (value: number) => boolean = Number.isFinite,
): number | undefined {
  const value = own(object, key)
  if (value === undefined || value === null) return undefined
  return typeof value === 'number' && valid(value) ? value : wrongType([...path, key], what, value)
}

export function readRecord(object: Record<string, unknown>, key: string, path: Path): Record<string, unknown> {
  const value = own(object, key)
  if (value === undefined || value === null) return {}
  return isRecord(value) ? value : wrongType([...path, key], 'a map', value)
}

/** A list of at most MAX_LIST_ENTRIES entries. */
export function readList(object: Record<string, unknown>, key: string, path: Path): unknown[] {
  const value = own(object, key)
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) return wrongType([...path, key], 'a list', value)
  if (value.length > MAX_LIST_ENTRIES)
    throw new ManifestError(
      formatPath([...path, key]),
      `${value.length} entries; splitlane import reads at most ${MAX_LIST_ENTRIES} per list (docs/cli.md#limits)`,
    )
  return value as unknown[]
}

/** A list entry that must be a map. */
export const entryRecord = (value: unknown, path: Path): Record<string, unknown> =>
  isRecord(value) ? value : value === null ? {} : wrongType(path, 'a map', value)

/** A weight as meshes write it: an integer 0.. (relative). */
export const isWeight = (value: number) => Number.isFinite(value) && value >= 0

/** `metadata.name` and `metadata.namespace` of a manifest; the name must be usable as an experiment name. */
export function readMetadata(root: Record<string, unknown>, fallback: string): { name: string; namespace: string } {
  const metadata = readRecord(root, 'metadata', [])
  const name = readString(metadata, 'name', ['metadata']) ?? fallback
  if (!NAME_PATTERN.test(name))
    throw new ManifestError('metadata.name', `expected a Kubernetes name (letters, digits, '-', '.'), received ${received(name)}`)
  return { name, namespace: readString(metadata, 'namespace', ['metadata']) ?? 'default' }
}

/** Collects warnings with their formatted paths. */
export function createReport() {
  const warnings: MeshWarning[] = []
  return {
    warnings,
    warn(path: Path, message: string) {
      warnings.push({ path: formatPath(path), message })
    },
    /**
     * Every key of `object` must be `used` (carried over), or `ignored` (does not affect the split, with why);
     * anything else is reported, with the hint from `hints` when there is one.
     */
    account(
      object: unknown,
      path: Path,
      used: readonly string[],
      ignored: readonly string[] = [],
      hints: Readonly<Record<string, string>> = {},
    ) {
      for (const key of Object.keys(asRecord(object))) {
        if (used.includes(key) || ignored.includes(key)) continue
        const hint = Object.hasOwn(hints, key) ? hints[key] : undefined
        warnings.push({ path: formatPath([...path, key]), message: hint ?? 'not supported: not carried over' })
      }
    },
  }
}

export type Report = ReturnType<typeof createReport>

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * Relative weights as splitlane's integer weights (0..1,000,000). Integers in range are kept as they are
 * (the ratios stay exact); larger ones are divided by their greatest common divisor, and only when that is
 * not enough scaled to a sum of 1,000,000 by largest remainder (reported: the ratios are then rounded).
 */
export function toSplitlaneWeights(weights: readonly number[], path: Path, report: Report): number[] {
  if (weights.every((weight) => Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT)) return [...weights]
  if (weights.every((weight) => Number.isSafeInteger(weight) && weight >= 0)) {
    const divisor = weights.reduce((a, b) => gcd(a, b), 0)
    const reduced = weights.map((weight) => (divisor === 0 ? 0 : weight / divisor))
    if (reduced.every((weight) => weight <= MAX_WEIGHT)) return reduced
  }
  const clean = weights.map((weight) => (Number.isFinite(weight) && weight > 0 ? weight : 0))
  const sum = clean.reduce((a, b) => a + b, 0)
  const exact = clean.map((weight) => (sum === 0 ? 0 : (weight / sum) * MAX_WEIGHT))
  const scaled = exact.map(Math.floor)
  let left = MAX_WEIGHT - scaled.reduce((a, b) => a + b, 0)
  const order = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder)
  for (const { index } of order) {
    if (left <= 0 || sum === 0) break
    scaled[index]! += 1
    left -= 1
  }
  report.warn(
    path,
    `weights ${weights.join(', ')} do not fit splitlane's integers 0..${MAX_WEIGHT}: scaled to ${scaled.join(', ')} (ratios rounded)`,
  )
  return scaled
}

/** A valid splitlane name from free text (Kubernetes names already are). */
export function toName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  const name = cleaned.slice(0, 128) || 'unnamed'
  return NAME_PATTERN.test(name) ? name : 'unnamed'
}

/** The first candidate of each entry that no other entry took; numbered when every candidate is taken. */
export function uniqueNames(candidates: readonly (readonly string[])[]): string[] {
  const names: string[] = []
  const taken = new Set<string>()
  const lists = candidates.map((list) => list.map(toName))
  // how many entries offer each name (once per entry), counted in one pass so that naming stays linear in the entries
  const offeredBy = new Map<string, number>()
  for (const list of lists) for (const name of new Set(list)) offeredBy.set(name, (offeredBy.get(name) ?? 0) + 1)
  const nextNumber = new Map<string, number>()
  for (const options of lists) {
    let name = options.find((option) => !taken.has(option) && offeredBy.get(option) === 1) ?? options.find((option) => !taken.has(option))
    const base = options[0] ?? 'variant'
    for (let n = nextNumber.get(base) ?? 2; name === undefined || taken.has(name); n++) {
      name = `${base}-${n}`
      nextNumber.set(base, n + 1)
    }
    taken.add(name)
    names.push(name)
  }
  return names
}

/** `http://<name>.<namespace>.svc.cluster.local:<port>`: how a Kubernetes Service is reached in the cluster. */
export function serviceUrl(service: { name: string; namespace: string; port?: number }): string {
  const host = service.name.includes('.') ? service.name : `${service.name}.${service.namespace}.svc.cluster.local`
  return `http://${host}${service.port === undefined ? '' : `:${service.port}`}`
}

/**
 * What a mesh names beside the address: Istio's subset, a Gateway API backend's group and kind. Import keeps it in the
 * variant's value as `{ url, mesh }` (routing reads `url` only) so that export writes it back.
 */
export interface MeshTarget {
  readonly subset?: string
  readonly group?: string
  readonly kind?: string
}

/** A variant's value: the URL alone, or `{ url, mesh }` when the mesh names more than the address. */
export const variantValue = (url: string, mesh: MeshTarget): JsonValue =>
  Object.keys(mesh).length === 0 ? url : { url, mesh: { ...mesh } as Record<string, string> }

/** The mesh target kept in a variant's value (`{}` for none). */
export function meshTargetOf(value: JsonValue | undefined): MeshTarget {
  const mesh = isRecord(value) && isRecord(value.mesh) ? value.mesh : {}
  const text = (key: string) => (Object.hasOwn(mesh, key) && typeof mesh[key] === 'string' ? { [key]: mesh[key] } : {})
  return { ...text('subset'), ...text('group'), ...text('kind') }
}

export interface ServiceAddress {
  /** Service name (or the whole host when the URL is no cluster address). */
  name: string
  namespace?: string
  port?: number
  /** Is the host `<name>.<namespace>.svc[.cluster.local]`. */
  inCluster: boolean
  /** Path after the origin, e.g. `/v1`; `''` for none. */
  path: string
  scheme: string
}

/** Reads a variant's value (a URL, or `{ url }`) as a Kubernetes Service address. */
export function serviceAddress(value: JsonValue | undefined): ServiceAddress | null {
  const url = typeof value === 'string' ? value : isRecord(value) && typeof value.url === 'string' ? value.url : null
  if (url === null) return null
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  const scheme = parsed.protocol.replace(/:$/, '')
  // as written, not as parsed: WHATWG URL drops a scheme's default port (`http://host:80` has port ''), a mesh does not
  const authority = (/^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '').replace(/^.*@/, '')
  const written = /:(\d+)$/.exec(authority)?.[1]
  const port = written === undefined ? undefined : Number(written)
  const path = parsed.pathname === '/' ? '' : parsed.pathname.replace(/\/$/, '')
  const labels = parsed.hostname.split('.')
  const inCluster =
    (labels.length === 5 && labels[2] === 'svc' && labels[3] === 'cluster' && labels[4] === 'local') ||
    (labels.length === 3 && labels[2] === 'svc')
  if (inCluster) return { name: labels[0]!, namespace: labels[1]!, ...(port === undefined ? {} : { port }), inCluster, path, scheme }
  return { name: parsed.hostname, ...(port === undefined ? {} : { port }), inCluster: false, path, scheme }
}

/** The port a URL reaches: its own, or the scheme's default. */
export const portOf = (address: ServiceAddress): number => address.port ?? (address.scheme === 'https' ? 443 : 80)

/** A header match as a condition on the attribute an adapter fills from that header (`headers: [name]`). */
export function headerCondition(name: string, kind: 'exact' | 'prefix' | 'regex', value: string): Condition {
  const attribute = name.toLowerCase()
  if (kind === 'exact') return { attribute, op: 'equals', values: [value] }
  if (kind === 'prefix') return { attribute, op: 'startsWith', values: [value] }
  return { attribute, op: 'regex', values: [`^(?:${value})$`] }
}

/** `all` of several conditions, or the one alone. */
export const allOf = (conditions: readonly Condition[]): Condition => (conditions.length === 1 ? conditions[0]! : { all: conditions })
/** `any` of several conditions, or the one alone. */
export const anyOf = (conditions: readonly Condition[]): Condition => (conditions.length === 1 ? conditions[0]! : { any: conditions })

/** Header names an adapter must copy into the attributes for these conditions. */
export function headerAttributes(conditions: readonly Condition[]): string[] {
  const names = new Set<string>()
  const visit = (condition: Condition) => {
    if ('attribute' in condition) names.add(condition.attribute)
    if ('all' in condition) condition.all.forEach(visit)
    if ('any' in condition) condition.any.forEach(visit)
  }
  conditions.forEach(visit)
  return [...names]
}
