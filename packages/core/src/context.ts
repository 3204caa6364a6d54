// Reading the unit key from what a caller passed, without ever throwing.
import { ErrorCode, SplitlaneError } from './errors.js'
import { describeValue } from './describe.js'
import { isVerifiedOverrides } from './override-tokens.js'
import type { Attributes, VerifiedOverrides } from './types.js'

export const INVALID_KEY = Symbol('invalid key')

/** Keys are strings; finite numbers and bigints become decimal text; '' and null mean no key. */
export function normalizeKey(raw: unknown): string | null | typeof INVALID_KEY {
  if (typeof raw === 'string') return raw === '' ? null : raw
  if (raw === undefined || raw === null) return null
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : INVALID_KEY
  if (typeof raw === 'bigint') return raw.toString()
  return INVALID_KEY
}

export function keyError(what: string, raw: unknown, experiment: string | undefined): SplitlaneError {
  return new SplitlaneError(ErrorCode.KeyInvalid, `${what} must be a string, a finite number or a bigint, received ${describeValue(raw)}`, {
    experiment,
  })
}

/** What one call reads from its context, once, whatever the number of experiments. */
export interface ReadContext {
  readonly attributes: Attributes | undefined
  /** `context.key`, normalized; an error when it has the wrong type. */
  readonly key: string | null | SplitlaneError
  /** Verified override tokens; an error when `context.overrides` was not made by `verifyOverrides`. */
  readonly overrides?: VerifiedOverrides | SplitlaneError
  /** The overrides error is still to be reported (once per call, by the first experiment that sees it). */
  unreported?: boolean
}

/**
 * A context with `overrides`, taken only as `verifyOverrides` made them. Kept out of readContext,
 * which V8 inlines into assign: its size decides whether assign inlines into the caller.
 */
function withOverrides(
  attributes: Attributes | undefined,
  key: string | null | SplitlaneError,
  raw: unknown,
  experiment: string | undefined,
): ReadContext {
  if (raw === null) return { attributes, key }
  if (isVerifiedOverrides(raw)) return { attributes, key, overrides: raw }
  const error = new SplitlaneError(
    ErrorCode.ContextInvalid,
    'context.overrides was ignored: pass what splitter.verifyOverrides returned, never a value read from the request',
    { experiment },
  )
  return { attributes, key, overrides: error, unreported: true }
}

const CONTEXT_PROBLEMS = {
  shape: (context: unknown) => `context must be an object like { key: 'user-42' }, received ${describeValue(context)}`,
  attributes: (attributes: unknown) => `context.attributes must be an object, received ${describeValue(attributes)}`,
  threw: () => 'reading the context threw',
}

/** Errors are built out of line: readContext is inlined into assign, and its size counts against inlining assign itself. */
function contextError(problem: keyof typeof CONTEXT_PROBLEMS, value: unknown, experiment: string | undefined): SplitlaneError {
  const message = CONTEXT_PROBLEMS[problem](value)
  return new SplitlaneError(ErrorCode.ContextInvalid, message, problem === 'threw' ? { cause: value, experiment } : { experiment })
}

export function readContext(context: unknown, experiment: string | undefined): ReadContext | SplitlaneError {
  if (context === undefined) return { attributes: undefined, key: null }
  if (typeof context !== 'object' || context === null) return contextError('shape', context, experiment)
  try {
    if (Array.isArray(context)) return contextError('shape', context, experiment) // throws for a revoked proxy
    const { key: raw, attributes, overrides } = context as { key?: unknown; attributes?: unknown; overrides?: unknown }
    if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null))
      return contextError('attributes', attributes, experiment)
    const key = normalizeKey(raw)
    const keyOrError = key === INVALID_KEY ? keyError('context.key', raw, experiment) : key
    if (overrides !== undefined) return withOverrides(attributes as Attributes | undefined, keyOrError, overrides, experiment)
    return { attributes: attributes as Attributes | undefined, key: keyOrError }
  } catch (cause) {
    return contextError('threw', cause, experiment)
  }
}

/** The first present `bucketBy` attribute as a key (with its name), null when none is, or an error. */
export function keyFromAttributes(
  names: readonly string[],
  attributes: Attributes | undefined,
  experiment: string,
): { key: string; from: string } | null | SplitlaneError {
  try {
    for (const name of names) {
      const raw = attributes !== undefined && Object.hasOwn(attributes, name) ? attributes[name] : undefined
      const key = normalizeKey(raw)
      if (key === INVALID_KEY) return keyError(`attribute ${name} (bucketBy)`, raw, experiment)
      if (key !== null) return { key, from: name }
    }
    return null
  } catch (cause) {
    return new SplitlaneError(ErrorCode.ContextInvalid, 'reading the context threw', { cause, experiment })
  }
}
