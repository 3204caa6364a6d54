// Signed, expiring override tokens: `spl1:<experiment>:<variant>:<expiry, unix seconds>:<signature>`,
// the signature being base64url(HMAC-SHA256(secret, "spl1:<experiment>:<variant>:<expiry>")).
// Core never sees the secret: the caller supplies the HMAC (Node's createHmac, or WebCrypto).
import { NAME_PATTERN } from './config/schema.js'
import { ErrorCode, SplitlaneError } from './errors.js'
import type { HmacSha256, VerifiedOverrides } from './types.js'

export const TOKEN_PREFIX = 'spl1'
/** Tokens read from one request at most; the rest are ignored, with one report. */
export const MAX_TOKENS_PER_REQUEST = 8
const MAX_TOKEN_LENGTH = 400
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/
const EXPIRY = /^[1-9]\d{0,11}$/

type Bytes = Uint8Array | ArrayBuffer

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export function toBase64Url(input: Bytes): string {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input)
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!
    if (i + 2 < bytes.length) out += ALPHABET[n & 63]!
  }
  return out
}

/** UTF-8 bytes of a string (lone surrogates as U+FFFD). */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  const out: number[] = []
  for (const char of text) {
    let code = char.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd
    if (code < 0x80) out.push(code)
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63))
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63))
  }
  return Uint8Array.from(out)
}

/** Compares two strings in time that depends only on their lengths. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

const asBytes = (value: unknown): Bytes | undefined => (value instanceof Uint8Array || value instanceof ArrayBuffer ? value : undefined)

export interface MintOptions {
  experiment: string
  variant: string
  /** When the token stops working, in epoch milliseconds (rounded down to the second). */
  expiresAt: number
}

function payloadOf({ experiment, variant, expiresAt }: MintOptions): string {
  const fail = (message: string) => {
    throw new SplitlaneError(ErrorCode.OptionsInvalid, `mintOverrideToken: ${message}`)
  }
  if (typeof experiment !== 'string' || !NAME_PATTERN.test(experiment)) fail('experiment must be an experiment name')
  if (typeof variant !== 'string' || !NAME_PATTERN.test(variant)) fail('variant must be a variant name')
  const seconds = Math.floor(expiresAt / 1000)
  if (!Number.isSafeInteger(seconds) || !EXPIRY.test(String(seconds))) fail('expiresAt must be a time in epoch milliseconds')
  return `${TOKEN_PREFIX}:${experiment}:${variant}:${seconds}`
}

/**
 * Mints a token forcing `variant` of `experiment` until `expiresAt`. `sign` is the HMAC-SHA256
 * under your secret; the token is returned synchronously when `sign` is synchronous.
 */
export function mintOverrideToken(options: MintOptions & { sign: (message: string) => Bytes }): string
export function mintOverrideToken(options: MintOptions & { sign: (message: string) => Promise<Bytes> }): Promise<string>
export function mintOverrideToken(options: MintOptions & { sign: HmacSha256 }): string | Promise<string> {
  const payload = payloadOf(options)
  const finish = (signature: unknown) => {
    const bytes = asBytes(signature)
    if (bytes === undefined || bytes.byteLength !== 32)
      throw new SplitlaneError(ErrorCode.OptionsInvalid, 'mintOverrideToken: sign must return the 32 bytes of an HMAC-SHA256')
    return `${payload}:${toBase64Url(bytes)}`
  }
  const signature = options.sign(payload)
  return isThenable(signature) ? Promise.resolve(signature).then(finish) : finish(signature)
}

/**
 * The minimal part of WebCrypto's SubtleCrypto used here (pass `globalThis.crypto.subtle`). Shaped so the standard
 * `SubtleCrypto` type (DOM lib, @types/node, Workers, Deno) is assignable: ArrayBuffer-backed bytes, `boolean`
 * extractable, a usages array.
 */
export interface SubtleCryptoLike {
  importKey(
    format: 'raw',
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: boolean,
    keyUsages: 'sign'[],
  ): Promise<unknown>
  sign(algorithm: 'HMAC', key: never, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>
}

/** An asynchronous HMAC-SHA256 over WebCrypto, for runtimes without node:crypto (edge, Deno, Bun, browsers). */
export function createWebCryptoHmac(options: {
  secret: string | Uint8Array
  subtle: SubtleCryptoLike
}): (message: string) => Promise<Uint8Array> {
  const { secret, subtle } = options
  const keyData = typeof secret === 'string' ? utf8(secret) : Uint8Array.from(secret)
  if (keyData.length === 0) throw new SplitlaneError(ErrorCode.OptionsInvalid, 'createWebCryptoHmac: the secret must not be empty')
  let key: Promise<unknown> | undefined
  return async (message) => {
    key ??= subtle.importKey('raw', keyData, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    return new Uint8Array(await subtle.sign('HMAC', (await key) as never, utf8(message)))
  }
}

// ---- verification ----

const verified = new WeakSet<object>()

/** Was this object made by `verifyOverrideTokens` (so its variants were checked)? */
export function isVerifiedOverrides(value: unknown): value is VerifiedOverrides {
  return typeof value === 'object' && value !== null && verified.has(value)
}

/**
 * The request's verified overrides plus the variants inherited through W3C baggage, so that the
 * splitter's one pipeline honours both, each at its step. For the adapter kit only (not exported
 * to users): whoever calls it vouches that `inherited` came from baggage the user chose to honour.
 */
export function withInherited(overrides: VerifiedOverrides | undefined, inherited: Readonly<Record<string, string>>): VerifiedOverrides {
  const copy = Object.create(null) as Record<string, string>
  for (const name of Object.keys(inherited)) {
    const variant = inherited[name]
    if (typeof variant === 'string') copy[name] = variant
  }
  const combined = Object.freeze({ variants: overrides?.variants ?? EMPTY, expiresAt: overrides?.expiresAt ?? EMPTY, inherited: copy })
  verified.add(combined)
  return combined
}
const EMPTY = /* @__PURE__ */ Object.freeze(Object.create(null) as Record<string, never>)

export interface TokenCheck {
  /** Does the config in use have this experiment and variant? */
  knows(experiment: string, variant: string): boolean
}

interface Parsed {
  readonly token: string
  readonly payload: string
  readonly experiment: string
  readonly variant: string
  readonly expiresAt: number
  readonly signature: string
}

const shown = (token: string) => JSON.stringify(token.length > 60 ? `${token.slice(0, 60)}…` : token)

function parseToken(token: string): Parsed | SplitlaneError {
  const malformed = (why: string) =>
    new SplitlaneError(
      ErrorCode.OverrideTokenMalformed,
      `override token ${shown(token)} ignored: ${why}; expected spl1:<experiment>:<variant>:<expiry>:<signature>`,
    )
  if (token.length > MAX_TOKEN_LENGTH) return malformed('too long')
  const parts = token.split(':')
  if (parts.length !== 5 || parts[0] !== TOKEN_PREFIX)
    return malformed(parts.length === 4 ? 'it is unsigned' : 'not a splitlane override token')
  const [, experiment, variant, expiry, signature] = parts as [string, string, string, string, string]
  if (!NAME_PATTERN.test(experiment) || !NAME_PATTERN.test(variant)) return malformed('bad experiment or variant name')
  if (!EXPIRY.test(expiry)) return malformed('bad expiry')
  if (!SIGNATURE.test(signature)) return malformed('bad signature encoding')
  return { token, payload: parts.slice(0, 4).join(':'), experiment, variant, expiresAt: Number(expiry) * 1000, signature }
}

function finishToken(parsed: Parsed, signature: unknown, now: number, check: TokenCheck): SplitlaneError | undefined {
  const bytes = asBytes(signature)
  const where = { experiment: parsed.experiment }
  if (bytes === undefined || bytes.byteLength !== 32)
    return new SplitlaneError(
      ErrorCode.OverrideTokenSignature,
      `override token ${shown(parsed.token)} ignored: sign did not return 32 bytes`,
      where,
    )
  if (!constantTimeEqual(toBase64Url(bytes), parsed.signature))
    return new SplitlaneError(
      ErrorCode.OverrideTokenSignature,
      `override token ${shown(parsed.token)} ignored: its signature does not match`,
      where,
    )
  if (!(parsed.expiresAt > now))
    return new SplitlaneError(
      ErrorCode.OverrideTokenExpired,
      `override token for ${parsed.experiment}=${parsed.variant} ignored: it expired at ${new Date(parsed.expiresAt).toISOString()}`,
      where,
    )
  if (!check.knows(parsed.experiment, parsed.variant))
    return new SplitlaneError(
      ErrorCode.OverrideTokenUnknown,
      `override token for ${parsed.experiment}=${parsed.variant} ignored: the config has no such experiment and variant`,
      where,
    )
  return undefined
}

export interface VerifyResult {
  readonly overrides: VerifiedOverrides
  readonly accepted: number
  readonly rejected: readonly SplitlaneError[]
}

/**
 * Verifies the tokens in `text` (separated by commas or whitespace) at time `now` (epoch ms).
 * Never throws; bad tokens come back in `rejected`. Synchronous when `sign` is.
 */
export function verifyOverrideTokens(
  text: string | null | undefined,
  now: number,
  sign: HmacSha256 | undefined,
  check: TokenCheck,
): VerifyResult | Promise<VerifyResult> {
  const rejected: SplitlaneError[] = []
  const tokens: string[] = []
  // Only the first MAX_TOKENS_PER_REQUEST are read: a header of 7,500 tokens costs no more than one of 9.
  if (typeof text === 'string')
    for (const match of text.matchAll(/[^\s,]+/g)) {
      if (tokens.length === MAX_TOKENS_PER_REQUEST) {
        rejected.push(
          new SplitlaneError(
            ErrorCode.OverrideTokenMalformed,
            `more than ${MAX_TOKENS_PER_REQUEST} override tokens in one request: the first ${MAX_TOKENS_PER_REQUEST} are read, the rest ignored`,
          ),
        )
        break
      }
      tokens.push(match[0])
    }
  const candidates: Parsed[] = []
  tokens.forEach((token) => {
    const parsed = parseToken(token)
    if (parsed instanceof SplitlaneError) rejected.push(parsed)
    else if (sign === undefined)
      rejected.push(
        new SplitlaneError(
          ErrorCode.OverrideTokenSignature,
          `override token for ${parsed.experiment}=${parsed.variant} ignored: no overrideTokens.sign was given to createSplitter`,
          { experiment: parsed.experiment },
        ),
      )
    else candidates.push(parsed)
  })
  const signatures = candidates.map((parsed): unknown => {
    try {
      const signature = sign!(parsed.payload)
      return isThenable(signature) ? Promise.resolve(signature).catch(() => undefined) : signature
    } catch {
      return undefined
    }
  })
  const finish = (resolved: readonly unknown[]): VerifyResult => {
    const variants = Object.create(null) as Record<string, string>
    const expiresAt = Object.create(null) as Record<string, number>
    candidates.forEach((parsed, index) => {
      const error = finishToken(parsed, resolved[index], now, check)
      if (error !== undefined) rejected.push(error)
      else {
        variants[parsed.experiment] = parsed.variant
        expiresAt[parsed.experiment] = parsed.expiresAt
      }
    })
    const overrides = Object.freeze({ variants: Object.freeze(variants), expiresAt: Object.freeze(expiresAt) })
    verified.add(overrides)
    return { overrides, accepted: Object.keys(variants).length, rejected }
  }
  return signatures.some(isThenable) ? Promise.all(signatures).then(finish) : finish(signatures)
}
