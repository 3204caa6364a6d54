// `@splitlane/core/adapter`: the kit that framework adapters (and the CLI) build on: the request split,
// the variant-handler rule, the proxy routing policy, outgoing-call routing and LLM usage. An
// application imports `@splitlane/core` instead; this entry may change with the adapters.
export { formatPath } from './config/parse.js'
export { formatNumber } from './analysis/judge.js'
export { isFailure } from './metrics/index.js'
export {
  addScope,
  createHttpSplit,
  createVariantHandlers,
  hopByHopHeaders,
  type SplitScopes,
  type HttpInstrumentation,
  type HttpSplit,
  type HttpSplitOptions,
  type RequestSplit,
  type RequestView,
  type StickyCookieOptions,
  type CookieSignature,
  type PreparedCookie,
  type UpstreamResult,
  type VariantHandlers,
  type VariantHandlersOptions,
} from './request/index.js'
export {
  createProxyRouting,
  hasRequestBody,
  forwardHeaders,
  type ProxyRouting,
  type ProxyRoutingOptions,
  type ProxyFallbackOptions,
  type ProxyRequest,
  type ProxyAnswer,
  type UpstreamCall,
  type UpstreamOutcome,
  type RelayEnd,
} from './routing/proxy.js'
export {
  parseUpstream,
  rewriteUrl,
  resolveHeaders,
  costOf,
  type Upstream,
  type UpstreamValue,
  type TokenPrices,
} from './routing/upstream.js'
export { createRouter, type Route, type Router, type RouterOptions, type ProxyTarget, type UpstreamEnv } from './routing/router.js'
export type { CircuitBreaker, CircuitBreakerOptions, BreakerState } from './routing/breaker.js'
export { usageOfText, withModel, createSseUsageScanner, type TokenUsage, type SseUsageScanner } from './routing/llm.js'
export { SAFE_METHODS, explainFallback, type Fallback, type FallbackReason } from './routing/fallback.js'
export {
  createFallbackPolicy,
  type Attempt,
  type AttemptOutcome,
  type FallbackOptions,
  type FallbackPolicy,
  type FallbackRoutes,
  type Settled,
} from './routing/fallback-policy.js'
export type { CallInstrumentation, CallTrace, OutgoingCall } from './routing/instrumentation.js'
