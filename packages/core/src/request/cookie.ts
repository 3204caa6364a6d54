// The sticky session cookie: reading it from a Cookie header and writing the Set-Cookie value.
import { serialize } from 'cookie'
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { CookieSignature, PreparedCookie, StickyCookieOptions } from './types.js'

export const DEFAULT_COOKIE_NAME = 'splitlane_id'
/** 400 days: the longest a browser keeps a cookie (RFC 6265bis). */
export const DEFAULT_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60
/** What a session id may look like (a UUID does): anything else in the cookie is treated as broken. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,128}$/

/** Longest signed cookie value read: an id of 128 characters, a dot and 43 of signature fit with room to spare. */
export const MAX_COOKIE_VALUE_LENGTH = 256

/** The cookie's value as sent (not yet URI-decoded), undefined when absent. */
function encodedStickyCookie(cookieHeader: string | readonly string[] | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined
  const text = typeof cookieHeader === 'string' ? cookieHeader : cookieHeader.join('; ')
  if (!text.includes(name)) return undefined // names are not decoded: without the name in the text there is no such cookie
  return cookieValue(text, name, false)
}

/** The unsigned cookie's value: a string, undefined when absent, or `null` when present but not a usable id. */
export function readStickyCookie(cookieHeader: string | readonly string[] | undefined, name: string): string | null | undefined {
  const value = encodedStickyCookie(cookieHeader, name)
  if (value === undefined) return undefined
  const decoded = decode(value)
  return SESSION_ID_PATTERN.test(decoded) ? decoded : null
}

/** The sticky cookie of one adapter: read, verified and written with its options and signature. */
export interface StickyCookie {
  readonly name: string
  /**
   * The id the cookie carries (undefined when absent, null when present but not signed by us) and, when an
   * older secret of the rotation list signed it, the value signed with the current one. Synchronous signatures.
   */
  read(cookieHeader: string | readonly string[] | undefined): PreparedCookie
  /** `read`, for any signature, plus a fresh signed id when there is no valid one and `randomId` is given. May reject. */
  prepare(cookieHeader: string | readonly string[] | undefined, randomId: (() => string) | undefined): Promise<PreparedCookie>
  /** The cookie value carrying `id` (signed unless `signed: false`); undefined when the signature is asynchronous. May throw. */
  value(id: string): string | undefined
  /** The Set-Cookie header for a cookie value. */
  header(value: string, secureRequest: boolean): string
}

const NEEDS_SECRET =
  'cookie: the sticky cookie is signed, so a visitor cannot choose its own id (and with it its variant), and ' +
  'signing needs a secret: set SPLITLANE_COOKIE_SECRET in the environment, or pass cookie: { secret } ' +
  '(a long random string shared by every instance; a list rotates secrets: the first signs, all verify). ' +
  'cookie: { signed: false } keeps the id in clear, and lets any visitor pick its variant'

/** The secrets in signing order, or null for an unsigned cookie. Throws `COOKIE_SECRET_MISSING` or `OPTIONS_INVALID`. */
function secretsOf(
  options: StickyCookieOptions,
  signature: CookieSignature | undefined,
  secretFromEnv: string | undefined,
): readonly string[] | null {
  // Signed unless turned off: an id in clear lets any visitor pick its variant (docs/reference/security.md).
  if (options.signed === false) return null
  const secret = options.secret ?? (secretFromEnv === '' ? undefined : secretFromEnv)
  if (secret === undefined) throw new SplitlaneError(ErrorCode.CookieSecretMissing, NEEDS_SECRET)
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? (secret as readonly unknown[]) : []
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item !== ''))
    throw new SplitlaneError(ErrorCode.OptionsInvalid, `cookie: secret must be a non-empty string or a list of them. ${NEEDS_SECRET}`)
  if (typeof signature?.sign !== 'function' || typeof signature.unsign !== 'function')
    throw new SplitlaneError(
      ErrorCode.OptionsInvalid,
      'cookie: cookieSignature must be { sign, unsign } (the cookie-signature module has this shape)',
    )
  return list as string[]
}

/** Does a raw value have the shape `<id>.<signature>`, with a valid id? Checked before any HMAC is computed. */
function looksSigned(raw: string): boolean {
  const dot = raw.lastIndexOf('.')
  return raw.length <= MAX_COOKIE_VALUE_LENGTH && dot > 0 && SESSION_ID_PATTERN.test(raw.slice(0, dot))
}

/** An asynchronous result used where only synchronous ones count: never an unhandled rejection. */
function quiet(result: unknown): undefined {
  if (result instanceof Promise) result.catch(() => {})
  return undefined
}

/**
 * Verified values are remembered as sent (successes only, at most this many): a returning visitor costs no
 * URI-decoding and no HMAC.
 */
const VERIFIED_CACHE_SIZE = 1024

/** Throws `COOKIE_SECRET_MISSING` when signing is on without a secret, `OPTIONS_INVALID` without a signature. */
export function createStickyCookie(
  options: StickyCookieOptions,
  signature: CookieSignature | undefined,
  secretFromEnv?: string,
): StickyCookie {
  const name = options.name ?? DEFAULT_COOKIE_NAME
  const secrets = secretsOf(options, signature, secretFromEnv)
  const write = stickyCookieWriter(options)
  const verified = new Map<string, string>()
  const remember = (encoded: string, id: string) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear()
    verified.set(encoded, id)
    return id
  }
  const unsigned = (raw: string) => (SESSION_ID_PATTERN.test(raw) ? raw : null)
  const value = (id: string): string | undefined => {
    if (secrets === null) return id
    const signed = signature!.sign(id, secrets[0]!)
    return typeof signed === 'string' ? signed : quiet(signed)
  }
  return {
    name,
    read(cookieHeader) {
      const encoded = encodedStickyCookie(cookieHeader, name)
      if (encoded === undefined) return { id: undefined }
      const known = verified.get(encoded)
      if (known !== undefined) return { id: known }
      const raw = decode(encoded)
      if (secrets === null) return { id: unsigned(raw) }
      if (!looksSigned(raw)) return { id: null }
      for (const [index, secret] of secrets.entries()) {
        const id = signature!.unsign(raw, secret)
        if (typeof id === 'string') return index === 0 ? { id: remember(encoded, id) } : { id, resigned: value(id) }
        quiet(id)
      }
      return { id: null }
    },
    async prepare(cookieHeader, randomId) {
      const encoded = encodedStickyCookie(cookieHeader, name)
      const raw = encoded === undefined ? undefined : decode(encoded)
      let id = raw === undefined ? undefined : secrets === null ? unsigned(raw) : (verified.get(encoded!) ?? null)
      if (id === null && secrets !== null && looksSigned(raw!))
        for (const [index, secret] of secrets.entries()) {
          const found = await signature!.unsign(raw!, secret)
          if (typeof found !== 'string') continue
          // An older secret signed it: the response carries it signed with the current one, so the old can be dropped.
          if (index > 0) return { id: found, resigned: await signature!.sign(found, secrets[0]!) }
          id = remember(encoded!, found)
          break
        }
      if (typeof id === 'string' || randomId === undefined) return { id }
      const fresh = randomId()
      if (typeof fresh !== 'string' || !SESSION_ID_PATTERN.test(fresh)) return { id }
      return { id, fresh: { id: fresh, value: secrets === null ? fresh : await signature!.sign(fresh, secrets[0]!) } }
    },
    value,
    header: write,
  }
}

/**
 * `parse(text)[name]` of the `cookie` package (first occurrence wins, blanks and tabs trimmed, the value
 * URI-decoded when it can be), without building an object of every cookie or decoding the others:
 * browsers send analytics and consent cookies too, and only ours is read.
 */
export function cookieValue(text: string, name: string, decodeValue = true): string | undefined {
  const length = text.length
  if (length < 2) return undefined
  let index = 0
  do {
    const equals = text.indexOf('=', index)
    if (equals === -1) return undefined
    const semicolon = text.indexOf(';', index)
    const end = semicolon === -1 ? length : semicolon
    if (equals > end) {
      index = text.lastIndexOf(';', equals - 1) + 1 // a pair without '=': start again after its semicolon
      continue
    }
    const start = skipBlanks(text, index, equals)
    if (trimEnd(text, start, equals) - start === name.length && text.startsWith(name, start)) {
      const valueStart = skipBlanks(text, equals + 1, end)
      const value = text.slice(valueStart, trimEnd(text, valueStart, end))
      return decodeValue ? decode(value) : value
    }
    index = end + 1
  } while (index < length)
  return undefined
}

const isBlank = (code: number) => code === 0x20 || code === 0x09
function skipBlanks(text: string, from: number, to: number): number {
  while (from < to && isBlank(text.charCodeAt(from))) from++
  return from
}
function trimEnd(text: string, from: number, to: number): number {
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--
  return to
}
function decode(value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** `name=id; Max-Age=…; Path=/; HttpOnly; SameSite=Lax` (plus `Secure` when asked). */
export function stickyCookieHeader(id: string, options: StickyCookieOptions, secureRequest: boolean): string {
  const secure = options.secure === undefined || options.secure === 'auto' ? secureRequest : options.secure
  return serialize(options.name ?? DEFAULT_COOKIE_NAME, id, {
    maxAge: options.maxAgeSeconds ?? DEFAULT_COOKIE_MAX_AGE_SECONDS,
    path: options.path ?? '/',
    domain: options.domain,
    httpOnly: true,
    sameSite: 'lax',
    secure,
  })
}

/**
 * `stickyCookieHeader` for one set of options, for the request path: `cookie.serialize` (which
 * validates the options) runs once per `Secure` flag, then each call only adds the encoded id.
 */
export function stickyCookieWriter(options: StickyCookieOptions): (id: string, secureRequest: boolean) => string {
  const name = options.name ?? DEFAULT_COOKIE_NAME
  const attributes: (string | undefined)[] = [undefined, undefined]
  return (id, secureRequest) => {
    const secure = options.secure === undefined || options.secure === 'auto' ? secureRequest : options.secure
    const at = secure ? 1 : 0
    attributes[at] ??= stickyCookieHeader('', options, secure).slice(name.length + 1)
    return `${name}=${encodeURIComponent(id)}${attributes[at]}`
  }
}
