// Helpers every converter shares: paths, field accounting, weights, names and Kubernetes Service URLs.
import { formatPath, MAX_WEIGHT, NAME_PATTERN, type Condition, type JsonValue } from '@splitlane/core'
import type { MeshWarning } from './types.js'

export type Path = readonly (string | number)[]

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {})
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [])

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
        warnings.push({ path: formatPath([...path, key]), message: hints[key] ?? 'not supported: not carried over' })
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
  const clashes = (name: string) => candidates.filter((list) => list.map(toName).includes(name)).length > 1
  for (const list of candidates) {
    const options = list.map(toName)
    let name = options.find((option) => !taken.has(option) && !clashes(option)) ?? options.find((option) => !taken.has(option))
    for (let n = 2; name === undefined || taken.has(name); n++) name = `${options[0] ?? 'variant'}-${n}`
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
  const port = parsed.port === '' ? undefined : Number(parsed.port)
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
