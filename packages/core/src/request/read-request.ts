// Reading the unit key and attributes from a request view. Never throws: problems come back as errors.
import { INVALID_KEY, normalizeKey } from '../context.js'
import { describeValue } from '../describe.js'
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { Context } from '../types.js'
import { DEFAULT_COOKIE_NAME, SESSION_ID_PATTERN, readStickyCookie } from './cookie.js'
import type { HttpSplitOptions, RequestView } from './types.js'

/** Longest user id a header may carry. */
export const MAX_USER_ID_LENGTH = 256

export interface ReadRequest {
  readonly context: Context & { attributes: Record<string, unknown> }
  /** A new session id to send back in the sticky cookie. */
  readonly mintedId: string | undefined
  /** Every problem found; with any, the request gets control. */
  readonly errors: readonly SplitlaneError[]
}

/** The id of `req.user`: the user itself when it is a string or number, else its `id`. */
function userIdOf(user: unknown): unknown {
  if (typeof user === 'object' && user !== null) return (user as { id?: unknown }).id
  return user
}

/** `used`: the attributes the config can read (rules and `bucketBy`); the request's ip, path and chosen headers are read only then. */
export function readRequest<Req>(request: Req, view: RequestView, options: HttpSplitOptions<Req>, used: ReadonlySet<string>): ReadRequest {
  const errors: SplitlaneError[] = []
  const fail = (code: ErrorCode, message: string, cause?: unknown) => errors.push(new SplitlaneError(code, message, { cause }))
  const attempt = <T>(what: string, code: ErrorCode, read: () => T): T | undefined => {
    try {
      return read()
    } catch (cause) {
      fail(code, `${what} threw`, cause)
      return undefined
    }
  }
  // Only what the config can use is read: the client IP behind a proxy, say, costs Express a parse per request.
  const attributes: Record<string, unknown> = {}
  if (used.has('ip')) {
    const ip = attempt('reading the client IP', ErrorCode.RequestInvalid, () => view.ip())
    if (typeof ip === 'string' && ip !== '') attributes['ip'] = ip
  }
  if (used.has('path')) {
    const path = attempt('reading the path', ErrorCode.RequestInvalid, () => view.path())
    if (typeof path === 'string') attributes['path'] = path
  }
  for (const name of options.headers ?? []) {
    const lower = name.toLowerCase()
    if (!used.has(lower)) continue
    const value = attempt(`reading header ${lower}`, ErrorCode.RequestInvalid, () => view.header(lower))
    if (typeof value === 'string') attributes[lower] = value
    else if (Array.isArray(value)) attributes[lower] = value.join(', ')
  }

  let key: string | null = null
  if (options.getKey !== undefined) {
    const raw = attempt('getKey', ErrorCode.GetterFailed, () => options.getKey!(request))
    const normalized = normalizeKey(raw)
    if (normalized === INVALID_KEY)
      fail(ErrorCode.GetterFailed, `getKey must return a string, a finite number or a bigint, received ${describeValue(raw)}`)
    else key = normalized
  }

  let userId: string | null = null
  const rawUser = attempt('reading req.user', ErrorCode.GetterFailed, () => userIdOf(view.user?.()))
  const fromUser = normalizeKey(rawUser)
  if (fromUser !== INVALID_KEY) userId = fromUser
  if (userId === null && options.userIdHeader) {
    const name = options.userIdHeader.toLowerCase()
    const value = attempt(`reading header ${name}`, ErrorCode.RequestInvalid, () => view.header(name))
    const trimmed = typeof value === 'string' ? value.trim() : undefined
    if (trimmed !== undefined && trimmed.length <= MAX_USER_ID_LENGTH) userId = trimmed === '' ? null : trimmed
    else if (value !== undefined)
      fail(ErrorCode.RequestInvalid, `header ${name} must be one user id of at most ${MAX_USER_ID_LENGTH} characters`)
  }
  if (userId !== null) attributes['userId'] = userId

  let sessionId: string | null = null
  let mintedId: string | undefined
  if (options.cookie !== false) {
    const name = options.cookie?.name ?? DEFAULT_COOKIE_NAME
    const found = attempt('reading the cookie header', ErrorCode.RequestInvalid, () => readStickyCookie(view.header('cookie'), name))
    if (found === null)
      fail(ErrorCode.RequestInvalid, `cookie ${name} does not hold a session id (expected ${String(SESSION_ID_PATTERN)}); a new one is set`)
    const earlier = found === undefined ? attempt('reading the minted id', ErrorCode.RequestInvalid, () => view.mintedId?.()) : undefined
    if (typeof found === 'string') sessionId = found
    else if (typeof earlier === 'string' && SESSION_ID_PATTERN.test(earlier)) sessionId = earlier
    else if (key === null && userId === null && options.randomId !== undefined) {
      const minted = attempt('randomId', ErrorCode.GetterFailed, () => options.randomId!())
      if (typeof minted === 'string' && SESSION_ID_PATTERN.test(minted)) sessionId = mintedId = minted
      else if (minted !== undefined)
        fail(ErrorCode.GetterFailed, `randomId must return an id matching ${String(SESSION_ID_PATTERN)}, received ${describeValue(minted)}`)
    }
  }
  if (sessionId !== null) attributes['sessionId'] = sessionId

  if (options.getAttributes !== undefined) {
    attempt('getAttributes', ErrorCode.GetterFailed, () => {
      const extra = options.getAttributes!(request)
      if (typeof extra === 'object' && extra !== null) Object.assign(attributes, extra)
      else if (extra !== undefined) fail(ErrorCode.GetterFailed, `getAttributes must return an object, received ${describeValue(extra)}`)
    })
  }
  return { context: { key: key ?? userId ?? sessionId, attributes }, mintedId, errors }
}
