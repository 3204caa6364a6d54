// Targeting operators: each compiles its config values once and then tests one attribute value.
// A test returns true or false, or `undefined` when the value has a type the operator cannot read.
import { regexEngine, REGEX_ENGINE_MISSING, type RegexTest } from './regex-engine.js'

export const STRING_OPERATORS = ['in', 'notIn', 'equals', 'contains', 'startsWith', 'endsWith', 'regex'] as const
export const NUMBER_OPERATORS = ['eq', 'gt', 'gte', 'lt', 'lte'] as const
export const SEMVER_OPERATORS = ['semverEq', 'semverGt', 'semverGte', 'semverLt', 'semverLte'] as const
export const DATE_OPERATORS = ['before', 'after'] as const
export const OPERATORS = [...STRING_OPERATORS, ...NUMBER_OPERATORS, ...SEMVER_OPERATORS, ...DATE_OPERATORS, 'cidr', 'exists'] as const

export type Operator = (typeof OPERATORS)[number]
export type ConditionValue = string | number | boolean

/** Tests one (non-array, non-missing) attribute value; `undefined` when its type does not fit. */
export type ValueTest = (value: unknown) => boolean | undefined

// ---- text ----

/** Strings as they are; finite numbers, bigints and booleans as their text; anything else unreadable. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

/**
 * Attribute strings longer than this (and lists with more elements) are never parsed or matched:
 * a leaf on such a value is false, whatever `negate` says (`exists` still sees it). Headers are
 * attributes, so this bounds what a visitor can make a rule do.
 */
export const MAX_ATTRIBUTE_LENGTH = 1024

// ---- numbers ----

const isDigit = (code: number) => code >= 48 && code <= 57

/**
 * Is the text a decimal number (`42`, ` -1.5e3 `, `.5`, `7.`) and nothing else? A scan, not a
 * regex: the regex it replaces backtracked quadratically on a long run of digits in a header.
 */
export function isNumberText(value: string): boolean {
  const text = value.trim()
  let i = text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45 ? 1 : 0 // + -
  const start = i
  while (isDigit(text.charCodeAt(i))) i++
  let digits = i - start
  if (text.charCodeAt(i) === 46) {
    const point = ++i
    while (isDigit(text.charCodeAt(i))) i++
    digits += i - point
  }
  if (digits === 0) return false
  if ((text.charCodeAt(i) | 32) === 101) {
    // e E
    i++
    if (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45) i++
    if (!isDigit(text.charCodeAt(i))) return false
    while (isDigit(text.charCodeAt(i))) i++
  }
  return i === text.length
}

/** Finite numbers, and decimal text such as a header value ("42", "-1.5e3"). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && isNumberText(value)) return Number(value)
  if (typeof value === 'bigint') return Number(value)
  return undefined
}

// ---- semver 2.0.0 ----

export interface SemVer {
  readonly release: readonly [number, number, number]
  /** Pre-release identifiers: numbers for numeric ones. Empty for a release. */
  readonly pre: readonly (string | number)[]
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/

/** Parses `1.2.3`, `v1.2.3-rc.1+build.5`; build metadata is ignored, as semver says. */
export function parseSemver(text: string): SemVer | undefined {
  if (text.length > 256) return undefined
  const match = SEMVER.exec(text)
  if (match === null) return undefined
  const release = [Number(match[1]), Number(match[2]), Number(match[3])] as const
  if (!release.every(Number.isSafeInteger)) return undefined
  const pre = match[4] === undefined ? [] : match[4].split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part))
  if (pre.some((part) => typeof part === 'number' && !Number.isSafeInteger(part))) return undefined
  return { release, pre }
}

/** Semver precedence: -1, 0 or 1. A pre-release sorts before its release; numeric identifiers before alphanumeric ones. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) if (a.release[i] !== b.release[i]) return a.release[i]! < b.release[i]! ? -1 : 1
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]
    const y = b.pre[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1
    if (typeof x === 'number') return -1
    if (typeof y === 'number') return 1
    return x < y ? -1 : 1
  }
  return 0
}

// ---- ISO 8601 dates ----

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?))?$/i

/**
 * Milliseconds since the epoch for an ISO 8601 date (`2026-11-22`, midnight UTC) or date-time with
 * an offset (`2026-11-22T10:00:00Z`, `...+01:00`). A date-time without an offset is rejected:
 * it would mean a different instant on every machine.
 */
export function parseIsoDate(text: string): number | undefined {
  const match = ISO_DATE.exec(text)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s, frac, zone] = match
  if (h !== undefined && zone === undefined) return undefined
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h ?? 0)
  const minute = Number(mi ?? 0)
  const second = Number(s ?? 0)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (day > daysInMonth) return undefined
  let offset = 0
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const hours = Number(digits.slice(0, 2))
    const minutes = Number(digits.slice(2) || 0)
    if (hours > 23 || minutes > 59) return undefined
    offset = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day) // setUTCFullYear keeps years 0..99 as they are
  utc.setUTCHours(hour, minute, second, millis)
  return utc.getTime() - offset * 60_000
}

/** Instants: ISO 8601 text (see parseIsoDate), epoch milliseconds, or a valid Date. */
export function instantOf(value: unknown): number | undefined {
  if (typeof value === 'string') return parseIsoDate(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (value instanceof Date) {
    const time = value.getTime()
    return Number.isNaN(time) ? undefined : time
  }
  return undefined
}

// ---- IP addresses ----
// A small parser rather than ipaddr.js on the request path: ipaddr.js takes 10 µs for an IPv4 and
// 70-80 µs for an IPv6 address, this one well under 1 µs. operators.test.ts checks it against
// ipaddr.js (a dev dependency) as the reference.

/** IPv4 as one unsigned 32-bit number; IPv6 as eight 16-bit groups. */
export type Address = { readonly v4: number } | { readonly v6: readonly number[] }
export type Cidr = { readonly address: Address; readonly bits: number }

/** Dotted-quad IPv4 (no leading zeros) in text[from, to), as an unsigned number, or -1. */
function parseV4(text: string, from = 0, to = text.length): number {
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i)
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return -1
      value = value * 256 + octet
      octet = 0
      digits = 0
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && octet === 0) return -1 // leading zero
      octet = octet * 10 + code - 48
      if (++digits > 3 || octet > 255) return -1
    } else return -1
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1
}

/** Colon-separated hex groups in text[from, to) (the last may be dotted IPv4), appended to `out`; false when invalid. */
function pushGroups(text: string, from: number, to: number, out: number[]): boolean {
  if (from === to) return true
  let start = from
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 58) continue
    if (i === to && text.lastIndexOf('.', to - 1) >= start) {
      const v4 = parseV4(text, start, to)
      if (v4 < 0) return false
      out.push(Math.floor(v4 / 65536), v4 % 65536)
      return true
    }
    const length = i - start
    if (length < 1 || length > 4) return false
    let group = 0
    for (let j = start; j < i; j++) {
      const code = text.charCodeAt(j) | 32 // lower-case letters
      const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1
      if (digit < 0) return false
      group = group * 16 + digit
    }
    out.push(group)
    start = i + 1
  }
  return true
}

function parseV6(input: string): number[] | undefined {
  const zone = input.indexOf('%')
  if (zone >= 0 && !/^%[0-9a-z_.~-]+$/i.test(input.slice(zone))) return undefined
  const end = zone < 0 ? input.length : zone
  const gap = input.indexOf('::')
  const groups: number[] = []
  if (gap < 0 || gap >= end) return pushGroups(input, 0, end, groups) && groups.length === 8 ? groups : undefined
  const next = input.indexOf('::', gap + 1)
  if (next >= 0 && next < end) return undefined
  if (!pushGroups(input, 0, gap, groups)) return undefined
  const tail: number[] = []
  if (!pushGroups(input, gap + 2, end, tail) || groups.length + tail.length > 7) return undefined
  while (groups.length + tail.length < 8) groups.push(0)
  for (const group of tail) groups.push(group)
  return groups
}

/** An IPv4 address in dotted-quad form or any IPv6 address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) reads as IPv4. */
export function addressOf(value: unknown): Address | undefined {
  if (typeof value !== 'string' || value.length > 100) return undefined
  if (!value.includes(':')) {
    const v4 = parseV4(value)
    return v4 < 0 ? undefined : { v4 }
  }
  const v6 = parseV6(value)
  if (v6 === undefined) return undefined
  if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff) return { v4: v6[6]! * 65536 + v6[7]! }
  return { v6 }
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/')
  const address = addressOf(slash < 0 ? text : text.slice(0, slash))
  if (address === undefined) return undefined
  const max = 'v4' in address ? 32 : 128
  if (slash < 0) return { address, bits: max }
  const bitsText = text.slice(slash + 1)
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > max) return undefined
  return { address, bits: Number(bitsText) }
}

export function inCidr(address: Address, { address: network, bits }: Cidr): boolean {
  if ('v4' in address) {
    if (!('v4' in network)) return false
    if (bits === 0) return true
    const shift = 32 - bits
    return Math.floor(address.v4 / 2 ** shift) === Math.floor(network.v4 / 2 ** shift)
  }
  if (!('v6' in network)) return false
  let left = bits
  for (let i = 0; i < 8 && left > 0; i++, left -= 16) {
    const take = Math.min(16, left)
    if (address.v6[i]! >> (16 - take) !== network.v6[i]! >> (16 - take)) return false
  }
  return true
}

// ---- regex ----

export const MAX_PATTERN_LENGTH = 1000

/**
 * Compiles with RE2 (linear time in the input, no backtracking), so no pattern or input can hang;
 * a string says what is wrong. Without the engine (`@splitlane/core/regex`) the schema reports
 * `regex_engine_missing` before this runs.
 */
export function compileRegex(pattern: string, caseInsensitive: boolean): RegexTest | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern of at most ${MAX_PATTERN_LENGTH} characters`
  const compile = regexEngine()
  if (compile === undefined) return REGEX_ENGINE_MISSING
  try {
    return compile(pattern, caseInsensitive)
  } catch (error) {
    return `a valid RE2 pattern (${error instanceof Error ? error.message : String(error)})`
  }
}

// ---- compiling one leaf ----

export interface LeafSpec {
  readonly op: Operator
  readonly values: readonly ConditionValue[]
  readonly caseInsensitive: boolean
}

/** What a value must be for an operator, for messages; or undefined when the value is fine. */
export function checkValue(op: Operator, value: ConditionValue, caseInsensitive: boolean): string | undefined {
  if ((STRING_OPERATORS as readonly string[]).includes(op)) {
    if (op === 'regex') {
      if (typeof value !== 'string') return 'a regex pattern string'
      const compiled = compileRegex(value, caseInsensitive)
      return typeof compiled === 'string' ? compiled : undefined
    }
    return undefined
  }
  if ((NUMBER_OPERATORS as readonly string[]).includes(op)) return typeof value === 'number' ? undefined : 'a number'
  if ((SEMVER_OPERATORS as readonly string[]).includes(op))
    return typeof value === 'string' && parseSemver(value) !== undefined ? undefined : 'a semantic version like "1.4.0" or "2.0.0-rc.1"'
  if ((DATE_OPERATORS as readonly string[]).includes(op))
    return typeof value === 'string' && parseIsoDate(value) !== undefined
      ? undefined
      : 'an ISO 8601 date ("2026-11-22") or date-time with an offset ("2026-11-22T10:00:00Z")'
  if (op === 'cidr')
    return typeof value === 'string' && parseCidr(value) !== undefined
      ? undefined
      : 'an IPv4 or IPv6 CIDR like "10.0.0.0/8" or "2001:db8::/32", or a single address'
  return undefined
}

const lower = (text: string, caseInsensitive: boolean) => (caseInsensitive ? text.toLowerCase() : text)

/** Compiles a leaf whose values were checked by the schema. `notIn` compiles as `in` (the caller negates). */
export function compileTest({ op, values, caseInsensitive }: LeafSpec): ValueTest {
  switch (op) {
    case 'in':
    case 'notIn':
    case 'equals': {
      const set = new Set(values.map((value) => lower(String(value), caseInsensitive)))
      return (value) => {
        const text = textOf(value)
        return text === undefined ? undefined : set.has(lower(text, caseInsensitive))
      }
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const needles = values.map((value) => lower(String(value), caseInsensitive))
      return (value) => {
        const text = textOf(value)
        if (text === undefined) return undefined
        const haystack = lower(text, caseInsensitive)
        if (op === 'contains') return needles.some((needle) => haystack.includes(needle))
        if (op === 'startsWith') return needles.some((needle) => haystack.startsWith(needle))
        return needles.some((needle) => haystack.endsWith(needle))
      }
    }
    case 'regex': {
      // Checked by the schema; a test that could not compile (no engine) reads nothing, so the leaf is false.
      const patterns = values.map((value) => compileRegex(String(value), caseInsensitive)).filter((test) => typeof test !== 'string')
      return (value) => {
        const text = textOf(value)
        return text === undefined || patterns.length === 0 ? undefined : patterns.some((test) => test(text))
      }
    }
    case 'eq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bounds = values as readonly number[]
      const holds = comparison(op)
      return (value) => {
        const number = numberOf(value)
        return number === undefined ? undefined : bounds.some((bound) => holds(number < bound ? -1 : number > bound ? 1 : 0))
      }
    }
    case 'semverEq':
    case 'semverGt':
    case 'semverGte':
    case 'semverLt':
    case 'semverLte': {
      const bounds = values.map((value) => parseSemver(String(value))!)
      const holds = comparison(op)
      return (value) => {
        const version = typeof value === 'string' ? parseSemver(value) : undefined
        return version === undefined ? undefined : bounds.some((bound) => holds(compareSemver(version, bound)))
      }
    }
    case 'before':
    case 'after': {
      const instants = values.map((value) => parseIsoDate(String(value))!)
      return (value) => {
        const instant = instantOf(value)
        if (instant === undefined) return undefined
        return op === 'before' ? instants.some((bound) => instant < bound) : instants.some((bound) => instant > bound)
      }
    }
    case 'cidr': {
      const ranges = values.map((value) => parseCidr(String(value))!)
      return (value) => {
        const address = addressOf(value)
        return address === undefined ? undefined : ranges.some((range) => inCidr(address, range))
      }
    }
    case 'exists':
      return () => true
  }
}

function comparison(op: Operator): (order: number) => boolean {
  if (op.endsWith('Gte') || op === 'gte') return (order) => order >= 0
  if (op.endsWith('Gt') || op === 'gt') return (order) => order > 0
  if (op.endsWith('Lte') || op === 'lte') return (order) => order <= 0
  if (op.endsWith('Lt') || op === 'lt') return (order) => order < 0
  return (order) => order === 0
}
