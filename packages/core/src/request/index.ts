export { createHttpSplit, type HttpSplit } from './split.js'
export { readRequest, MAX_USER_ID_LENGTH, type ReadRequest } from './read-request.js'
export { readStickyCookie, stickyCookieHeader, DEFAULT_COOKIE_NAME, DEFAULT_COOKIE_MAX_AGE_SECONDS, SESSION_ID_PATTERN } from './cookie.js'
export { formatVariantHeader, parseVariantHeader, DEFAULT_VARIANT_HEADER } from './variant-header.js'
export { hopByHopHeaders } from './hop-by-hop.js'
export { addScope, type SplitScopes } from './scopes.js'
export { upstreamOf, pickAssignment } from './upstream.js'
export { createVariantHandlers, CONTROL_ROLE, type VariantHandlers, type VariantHandlersOptions } from './variant-handlers.js'
export type {
  HttpInstrumentation,
  HttpOutcome,
  HttpSplitOptions,
  OutcomeRecorder,
  RequestSplit,
  RequestView,
  StickyCookieOptions,
  CookieSignature,
  PreparedCookie,
  UpstreamResult,
} from './types.js'
