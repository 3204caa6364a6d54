// The sticky session cookie: reading it from a Cookie header and writing the Set-Cookie value.
import { serialize } from 'cookie'
import type { StickyCookieOptions } from './types.js'

export const DEFAULT_COOKIE_NAME = 'splitlane_id'
/** 400 days: the longest a browser keeps a cookie (RFC 6265bis). */
export const DEFAULT_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60
/** What a session id may look like (a UUID does): anything else in the cookie is treated as broken. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,128}$/

/** The cookie's value: a string, undefined when absent, or `null` when present but not a usable id. */
export function readStickyCookie(cookieHeader: string | readonly string[] | undefined, name: string): string | null | undefined {
  if (cookieHeader === undefined) return undefined
  const text = typeof cookieHeader === 'string' ? cookieHeader : cookieHeader.join('; ')
  if (!text.includes(name)) return undefined // names are not decoded: without the name in the text there is no such cookie
  const value = cookieValue(text, name)
  if (value === undefined) return undefined
  return SESSION_ID_PATTERN.test(value) ? value : null
}

/**
 * `parse(text)[name]` of the `cookie` package (first occurrence wins, blanks and tabs trimmed, the value
 * URI-decoded when it can be), without building an object of every cookie or decoding the others:
 * browsers send analytics and consent cookies too, and only ours is read.
 */
export function cookieValue(text: string, name: string): string | undefined {
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
      return decode(text.slice(valueStart, trimEnd(text, valueStart, end)))
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
