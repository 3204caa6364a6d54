// Reading the unit key and attributes from a request view. Never throws: problems come back as errors.
import { INVALID_KEY, normalizeKey } from '../context.js'
import { describeValue } from '../describe.js'
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { Context } from '../types.js'
import { SESSION_ID_PATTERN, createStickyCookie, type StickyCookie } from './cookie.js'
import type { HttpSplitOptions, PreparedCookie, RequestView } from './types.js'

/** Longest user id a header may carry. */
export const MAX_USER_ID_LENGTH = 256

export interface ReadRequest {
  readonly context: Context & { attributes: Record<string, unknown> }
  /** A session id to send back in the sticky cookie: a new one, or one whose cookie is signed again with the current secret. */
  readonly mintedId: string | undefined
  /** The cookie value carrying `mintedId` (signed unless signing is off). */
  readonly mintedValue?: string | undefined
  /** Every problem found; with any, the request gets control. */
  readonly errors: readonly SplitlaneError[]
}

/** One user id: no comma (a repeated header arrives joined by ", "), no control characters, not too long. */
const ONE_USER_ID = /* @__PURE__ */ new RegExp(`^[^,\\u0000-\\u001f\\u007f]{1,${MAX_USER_ID_LENGTH}}$`)

/** The id of `req.user`: the user itself when it is a string or number, else its `id`. */
function userIdOf(user: unknown): unknown {
  if (typeof user === 'object' && user !== null) return (user as { id?: unknown }).id
  return user
}

/**
 * `read(view, arg)`, or undefined when it throws, which becomes an error of the request naming `what` + `detail`.
 * The readers below are module functions, so reading a request allocates no closure per read.
 */
function guarded<A, T>(
  errors: SplitlaneError[],
  code: ErrorCode,
  what: string,
  detail: string,
  read: (view: RequestView, arg: A) => T,
  view: RequestView,
  arg: A,
): T | undefined {
  try {
    return read(view, arg)
  } catch (cause) {
    errors.push(new SplitlaneError(code, `${what}${detail} threw`, { cause }))
    return undefined
  }
}
const call = <T>(_view: RequestView, read: () => T): T => read()
const headerOf = (view: RequestView, name: string) => view.header(name)
const fail = (errors: SplitlaneError[], code: ErrorCode, message: string) => errors.push(new SplitlaneError(code, message))
/** A repeated header arrives as a list; only its strings are joined (a view may hand back anything). */
function listedHeader(view: RequestView, name: string): unknown {
  const raw: unknown = view.header(name)
  return Array.isArray(raw) ? raw.filter((item) => typeof item === 'string').join(', ') : raw
}
const userOf = (view: RequestView) => userIdOf(view.user?.())
const stickyOf = (view: RequestView, sticky: StickyCookie) => sticky.read(view.header('cookie'))
const mintedOf = (view: RequestView) => view.mintedId?.()

/**
 * `used`: the attributes the config can read (rules and `bucketBy`); the request's ip, path and chosen headers are read only then.
 * `sticky`: the adapter's cookie (default: built from `options.cookie`); `prepared`: what `prepare` found for asynchronous signatures.
 */
export function readRequest<Req>(
  request: Req,
  view: RequestView,
  options: HttpSplitOptions<Req>,
  used: ReadonlySet<string>,
  sticky: StickyCookie | undefined = options.cookie === false
    ? undefined
    : createStickyCookie(options.cookie ?? {}, options.cookieSignature, options.cookieSecretFromEnv),
  prepared?: PreparedCookie,
): ReadRequest {
  const errors: SplitlaneError[] = []
  // Only what the config can use is read: the client IP behind a proxy, say, costs Express a parse per request.
  const attributes: Record<string, unknown> = {}
  if (used.has('ip')) {
    const ip = guarded(errors, ErrorCode.RequestInvalid, 'reading the client IP', '', call, view, () => view.ip())
    if (typeof ip === 'string' && ip !== '') attributes['ip'] = ip
  }
  if (used.has('path')) {
    const path = guarded(errors, ErrorCode.RequestInvalid, 'reading the path', '', call, view, () => view.path())
    if (typeof path === 'string') attributes['path'] = path
  }
  for (const name of options.headers ?? []) {
    const lower = name.toLowerCase()
    if (!used.has(lower)) continue
    const value = guarded(errors, ErrorCode.RequestInvalid, 'reading header ', lower, listedHeader, view, lower)
    if (typeof value === 'string') attributes[lower] = value
  }

  let key: string | null = null
  if (options.getKey !== undefined) {
    const raw = guarded(errors, ErrorCode.GetterFailed, 'getKey', '', call, view, () => options.getKey!(request))
    const normalized = normalizeKey(raw)
    if (normalized === INVALID_KEY)
      fail(errors, ErrorCode.GetterFailed, `getKey must return a string, a finite number or a bigint, received ${describeValue(raw)}`)
    else key = normalized
  }

  let userId: string | null = null
  const rawUser = guarded(errors, ErrorCode.GetterFailed, 'reading req.user', '', userOf, view, undefined)
  const fromUser = normalizeKey(rawUser)
  if (fromUser !== INVALID_KEY) userId = fromUser
  if (userId === null && options.userIdHeader) {
    const name = options.userIdHeader.toLowerCase()
    const value = guarded(errors, ErrorCode.RequestInvalid, 'reading header ', name, headerOf, view, name)
    const trimmed = typeof value === 'string' ? value.trim() : undefined
    if (trimmed === '') userId = null
    else if (trimmed !== undefined && ONE_USER_ID.test(trimmed)) userId = trimmed
    else if (value !== undefined)
      fail(
        errors,
        ErrorCode.RequestInvalid,
        `header ${name} must be one user id of at most ${MAX_USER_ID_LENGTH} characters, without commas or control characters (a repeated header arrives joined by commas)`,
      )
  }
  if (userId !== null) attributes['userId'] = userId

  let sessionId: string | null = null
  let mintedId: string | undefined
  let mintedValue: string | undefined
  if (sticky !== undefined) {
    const cookie = prepared ?? guarded(errors, ErrorCode.RequestInvalid, 'reading the cookie header', '', stickyOf, view, sticky)
    const found = cookie?.id
    if (found === null)
      fail(
        errors,
        ErrorCode.RequestInvalid,
        `cookie ${sticky.name} does not hold a session id this app issued (forged, tampered, unsigned when signing is on, or signed with a secret no longer listed); a new one is set`,
      )
    const earlier =
      found === undefined || found === null
        ? guarded(errors, ErrorCode.RequestInvalid, 'reading the minted id', '', mintedOf, view, undefined)
        : undefined
    if (typeof found === 'string') {
      sessionId = found
      // Signed with an older secret: set again, signed with the current one (once, when the request is split twice).
      const resigned = cookie?.resigned
      if (
        resigned !== undefined &&
        guarded(errors, ErrorCode.RequestInvalid, 'reading the minted id', '', mintedOf, view, undefined) !== found
      ) {
        mintedId = found
        mintedValue = resigned
      }
    } else if (typeof earlier === 'string' && SESSION_ID_PATTERN.test(earlier)) sessionId = earlier
    else if (key === null && userId === null && prepared?.fresh !== undefined) {
      sessionId = mintedId = prepared.fresh.id
      mintedValue = prepared.fresh.value
    } else if (key === null && userId === null && options.randomId !== undefined && prepared === undefined) {
      const minted = guarded(errors, ErrorCode.GetterFailed, 'randomId', '', call, view, () => options.randomId!())
      if (typeof minted === 'string' && SESSION_ID_PATTERN.test(minted)) {
        mintedValue = guarded(errors, ErrorCode.RequestInvalid, 'signing the cookie', '', call, view, () => sticky.value(minted))
        sessionId = minted
        if (mintedValue !== undefined) mintedId = minted
      } else if (minted !== undefined)
        fail(
          errors,
          ErrorCode.GetterFailed,
          `randomId must return an id matching ${String(SESSION_ID_PATTERN)}, received ${describeValue(minted)}`,
        )
    }
  }
  if (sessionId !== null) attributes['sessionId'] = sessionId

  if (options.getAttributes !== undefined) {
    guarded(errors, ErrorCode.GetterFailed, 'getAttributes', '', call, view, () => {
      const extra = options.getAttributes!(request)
      if (typeof extra === 'object' && extra !== null) Object.assign(attributes, extra)
      else if (extra !== undefined)
        fail(errors, ErrorCode.GetterFailed, `getAttributes must return an object, received ${describeValue(extra)}`)
    })
  }
  return { context: { key: key ?? userId ?? sessionId, attributes }, mintedId, mintedValue, errors }
}
