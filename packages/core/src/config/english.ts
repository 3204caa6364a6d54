// zod/mini sets no locale, so a check without a message of ours would say only "Invalid input".
// Parses pass zod's English messages as their fallback (the words full zod uses), without touching
// the app's own global zod config. The wording is zod's `en` locale (zod/locales), less its names of
// string formats (email, UUID, ...), which no splitlane schema uses: that table was a tenth of the
// validator's weight. english.test.ts checks every message against zod's own.
import type * as z from 'zod/mini'

// zod's util.parsedType, stringifyPrimitive and joinValues (importing zod's util module would bundle all of it).
function parsedType(data: unknown): string {
  if (typeof data === 'number') return Number.isNaN(data) ? 'nan' : 'number'
  if (data === null) return 'null'
  if (Array.isArray(data)) return 'array'
  if (typeof data === 'object' && Object.getPrototypeOf(data) !== Object.prototype && 'constructor' in data && data.constructor)
    return (data.constructor as { name: string }).name
  return typeof data
}
const stringifyPrimitive = (value: unknown): string =>
  typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${value as string}`
const joinValues = (values: readonly unknown[], separator: string): string => values.map(stringifyPrimitive).join(separator)

const UNITS: Record<string, string> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' }

/** zod's English name of a type: NaN and infinities as themselves. */
const typeName = (type: string, input?: unknown): string =>
  type === 'number' && typeof input === 'number' && !Number.isFinite(input) ? String(input) : type === 'nan' ? 'NaN' : type

/** zod's English message for an issue that carries none of ours. */
export const englishMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(issue.expected)}, received ${typeName(parsedType(issue.input), issue.input)}`
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid input: expected ${stringifyPrimitive(issue.values[0])}`
        : `Invalid option: expected one of ${joinValues(issue.values, '|')}`
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big'
      const adj = issue.exact ? 'exactly ' : (big ? '<' : '>') + (issue.inclusive ? '=' : '')
      const limit = (big ? issue.maximum : issue.minimum).toString()
      const unit = issue.origin === undefined ? undefined : UNITS[issue.origin]
      const origin = big ? (issue.origin ?? 'value') : issue.origin
      return `Too ${big ? 'big' : 'small'}: expected ${origin} to ${unit ? `have ${adj}${limit} ${unit}` : `be ${adj}${limit}`}`
    }
    case 'invalid_format':
      if (issue.format === 'starts_with') return `Invalid string: must start with "${(issue as { prefix?: string }).prefix}"`
      if (issue.format === 'ends_with') return `Invalid string: must end with "${(issue as { suffix?: string }).suffix}"`
      if (issue.format === 'includes') return `Invalid string: must include "${(issue as { includes?: string }).includes}"`
      if (issue.format === 'regex') return `Invalid string: must match pattern ${issue.pattern}`
      return `Invalid ${issue.format}`
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${issue.divisor}`
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${joinValues(issue.keys, ', ')}`
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`
    case 'invalid_union': {
      const options = (issue as { options?: unknown }).options
      if (Array.isArray(options) && options.length > 0)
        return `Invalid discriminator value. Expected ${options.map((option) => `'${option}'`).join(' | ')}`
      return (issue as { inclusive?: boolean }).inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input'
    }
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`
    default:
      return 'Invalid input'
  }
}

/** Parse options for `schema.safeParse(input, englishFallback())`. */
export function englishFallback(): { error: z.core.$ZodErrorMap } {
  return { error: englishMessage }
}
