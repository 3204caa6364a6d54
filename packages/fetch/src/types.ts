// Public types of @splitlane/fetch.
import type { Assignment, Attributes, ErrorHandler } from '@splitlane/core'
import type { CallInstrumentation, Fallback, FallbackOptions } from '@splitlane/core/adapter'
import type { JsonValue, MetricsRecorder, Splitter } from '@splitlane/core'
import type { UpstreamValue } from '@splitlane/core/adapter'

/** `fetch`'s signature. */
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

/** Anything with `record`, such as `createMetricsRecorder()` from `@splitlane/core`. */
export type OutcomeSink = Pick<MetricsRecorder, 'record'>

/** What the key and attribute getters see of a call: its URL, method and headers, as a `Request` has them. */
export interface SplitCall {
  readonly url: string
  readonly method: string
  readonly headers: Headers
}

export type KeyGetter = (call: SplitCall) => string | number | bigint | null | undefined

export interface SplitFetchOptions {
  splitter: Splitter
  /** The experiment whose variants name the upstreams. */
  experiment: string
  /** The unit key for a call (e.g. the user id). Not needed in `random` mode; without it a call gets control unless random. */
  key?: KeyGetter
  /** Attributes for targeting and `bucketBy`. */
  attributes?: (call: SplitCall) => Attributes | undefined
  /** Variant name -> upstream, used instead of the variant's `value` (handy for ports known only at run time). */
  upstreams?: Readonly<Record<string, UpstreamValue>>
  /** The fetch that does the I/O. Default: `globalThis.fetch`. */
  fetch?: FetchFunction
  /** Per-variant outcomes (`createMetricsRecorder()` from `@splitlane/core`). */
  metrics?: OutcomeSink
  /** Header naming the variant on the outgoing call (`experiment=variant`). Default `splitlane-variant`; `false` to omit. */
  header?: string | false
  /** Where `${NAME}` in upstream headers is looked up. Default: `process.env` where there is one. */
  env?: Readonly<Record<string, string | undefined>>
  /** Mirror a fraction of calls to a shadow upstream; see docs/guides/shadow-traffic.md. */
  shadow?: ShadowOptions
  /** Retry once on control, and a per-variant circuit breaker; see docs/guides/fallback.md. */
  fallback?: FallbackOptions
  /** OpenTelemetry for each call: `createCallInstrumentation()` from `@splitlane/core/otel` (client span, traceparent, optional baggage). */
  otel?: CallInstrumentation
  /** Reports request-path problems (bad getter, bad upstream, missing env); the call still goes out. */
  onError?: ErrorHandler
  /** Wall clock in ms for the circuit breaker. Default `Date.now`. */
  now?: () => number
  /** Uniform draws in [0, 1) for shadow sampling. Default `Math.random`. */
  random?: () => number
  /**
   * Keeps the runtime alive until each mirror settles: on Cloudflare Workers pass `waitUntil` from
   * `cloudflare:workers` (an invocation ends when its response is sent, and mirrors left behind never settle).
   */
  waitUntil?: (promise: Promise<unknown>) => void
}

/** What a comparator sees of one side of a mirrored call. */
export interface ObservedResponse {
  status: number
  latencyMs: number
  body: string
}

export interface ShadowOptions {
  /** Where mirrored copies go (a URL or an upstream object). */
  upstream: UpstreamValue
  /** Percent of eligible calls to mirror, 0..100. Default 100. */
  percent?: number
  /** Methods mirrored. Default the safe ones: GET, HEAD, OPTIONS (mirrors replay writes). */
  methods?: readonly string[]
  /** Mirrors in flight at most; beyond it copies are dropped and counted. Default 32. */
  maxConcurrent?: number
  /** A mirror is abandoned after this long. Default 10,000 ms. */
  timeoutMs?: number
  /** Called with both sides; return `false` for a mismatch (counted per variant in `shadow.mismatches`). */
  compare?: (primary: ObservedResponse, shadow: ObservedResponse, assignment: Assignment) => boolean | Promise<boolean>
}

/** Retry once on control, and a per-variant circuit breaker: the one policy of core, shared with the proxies. */
export type { FallbackOptions }

/** Shadow counters of one `splitFetch` since it was created. */
export interface ShadowStatsSnapshot {
  sent: number
  dropped: number
  failed: number
  timedOut: number
  mismatches: number
}

/** How one call was routed: read it with `routeOf(response)`. */
export interface RouteInfo {
  readonly assignment: Assignment
  /** The variant whose upstream answered (control after a fallback). */
  readonly servedBy: string | null
  readonly url: string
  readonly fallback?: Fallback
  /** Was a mirrored copy sent? */
  readonly shadowed: boolean
  /** The assignment's explanation, plus the fallback when there was one. */
  explain(): string
}

export interface SplitFetch extends FetchFunction {
  /** Shadow counters (sent, dropped, failed, timed out, mismatches). */
  shadowStats(): ShadowStatsSnapshot
}

export type { JsonValue }
