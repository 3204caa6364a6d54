// The proxy's routing policy, pure and shared by the proxies of every adapter: which upstream a request
// goes to (URL with the prefix rule, headers), the answer when it cannot go anywhere or the upstream fails,
// and the fallback to control. Adapters send the request and report what happened.
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { RequestSplit } from '../request/types.js'
import { hopByHopHeaders } from '../request/hop-by-hop.js'
import { createFallbackPolicy, type Attempt, type FallbackOptions, type FallbackRoutes } from './fallback-policy.js'
import type { ProxyTarget, UpstreamEnv } from './router.js'

/** An upstream that sends nothing for this long (before or while answering) is given up on. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000

export interface ProxyRoutingOptions {
  /** The experiment whose variant `value` is the upstream; default: the route's only experiment. */
  experiment?: string
  /** A path prefix not forwarded, removed on a segment boundary (`/api/x` -> `/x`; `/apix` is not under `/api`). */
  stripPrefix?: string
  /** Milliseconds an upstream may stay silent, waiting for its answer or between two parts of it. Default 30,000. */
  timeoutMs?: number
  /**
   * Retry once on control (idempotent requests without a body, after the upstream was refused, reset or
   * timed out) and a per-variant circuit breaker; see docs/guides/fallback.md. An upstream's own 5xx is passed on.
   */
  fallback?: ProxyFallbackOptions
}

/** `createSplitFetch`'s fallback options without `retryableStatuses`: a proxy passes the upstream's answers on. */
export type ProxyFallbackOptions = Omit<FallbackOptions, 'retryableStatuses'>

/** What the proxy received. */
export interface ProxyRequest {
  readonly method: string
  /** The path and query as the proxy received them. */
  readonly url: string
  /** Does it carry a body? Such a request is never retried: its body went to the upstream that failed. */
  readonly hasBody: boolean
}

/** One request to send upstream. */
export interface UpstreamCall {
  readonly send: true
  readonly attempt: Attempt<ProxyTarget>
  /** `origin` + `path`: the upstream's base with the request's path (prefix removed) and query. */
  readonly url: string
  readonly origin: string
  readonly path: string
  /** Headers to set, replacing the client's (lower-case names): the upstream's, then the variant header. */
  readonly headers: readonly (readonly [string, string])[]
  readonly timeoutMs: number
  readonly experiment: string
  readonly routes: FallbackRoutes<ProxyTarget>
}

/** The answer to give instead (nothing to send, or the upstream failed). */
export interface ProxyAnswer {
  readonly send: false
  readonly status: number
  readonly body: string
  readonly code: ErrorCode
}

/** What came of a call: its response's status, or `timeout` (silent too long) or `failed` (refused, reset, DNS, TLS). */
export type UpstreamOutcome = { readonly status: number } | { readonly error: 'timeout' | 'failed' }

export interface ProxyRouting {
  /** The first call for a request, or the answer when it has nowhere to go (the reason is reported). */
  start(split: RequestSplit | undefined, request: ProxyRequest, env: UpstreamEnv, now: number): UpstreamCall | ProxyAnswer
  /**
   * After a call's response headers arrived (`status`) or it failed: the retry on control, the answer to
   * give, or `null` to pass the response on. Tells the breaker; notes a fallback on the split, and the
   * first byte (`split.firstByte()`) when the response is passed on.
   */
  settle(
    split: RequestSplit,
    call: UpstreamCall,
    request: ProxyRequest,
    outcome: UpstreamOutcome,
    now: number,
  ): UpstreamCall | ProxyAnswer | null
  /**
   * The relayed body ended (after `settle` passed the response on): `complete`, the client went away
   * (`client_gone`), or the upstream failed mid-body (`timeout`: silent for `timeoutMs`; `failed`: reset). A
   * failure is reported and counted as an error of the variant, and by the breaker; the adapter then closes the
   * client's connection, so the client sees a broken response rather than a short one that looks whole.
   */
  bodyEnded(split: RequestSplit, call: UpstreamCall, end: RelayEnd, now: number): void
}

/** How a relayed response body ended, as the adapter saw it. */
export type RelayEnd = 'complete' | 'client_gone' | 'timeout' | 'failed'

const answer = (status: number, body: string, code: ErrorCode): ProxyAnswer => ({ send: false, status, body, code })
const NOT_SPLIT = answer(502, 'splitlane: request was not split', ErrorCode.UpstreamInvalid)

/** `/api/x?y` without the prefix `/api` is `/x?y`, `/api` alone is `/`; `/apix` is not under `/api` and stays as it is. */
export function withoutPrefix(url: string, prefix: string | undefined): string {
  const base = prefix?.endsWith('/') === true ? prefix.slice(0, -1) : prefix
  if (base === undefined || base === '' || !url.startsWith(base)) return url
  const rest = url.slice(base.length)
  if (rest === '' || rest.startsWith('?')) return `/${rest}`
  return rest.startsWith('/') ? rest : url
}

/** Does a request with these headers carry a body (HTTP/1.1: a Content-Length above 0, or a Transfer-Encoding)? */
export function hasRequestBody(contentLength: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || (contentLength !== undefined && contentLength !== '0')
}

/** The client's headers for the upstream: without hop-by-hop ones and `host`, with the call's headers set. */
export function forwardHeaders<V>(client: Readonly<Record<string, V>>, call: UpstreamCall): Record<string, V | string> {
  const connection = client['connection'] as string | readonly string[] | undefined
  const drop = hopByHopHeaders(connection)
  const out: Record<string, V | string> = Object.create(null) as Record<string, V | string>
  for (const name of Object.keys(client)) if (!drop.has(name.toLowerCase()) && name.toLowerCase() !== 'host') out[name] = client[name]!
  for (const [name, value] of call.headers) out[name] = value
  return out
}

/** A response's headers for the client: without hop-by-hop ones. */
export function backwardHeaders<V>(upstream: Readonly<Record<string, V>>): Record<string, V> {
  const drop = hopByHopHeaders(upstream['connection'] as string | readonly string[] | undefined)
  const out: Record<string, V> = Object.create(null) as Record<string, V>
  for (const name of Object.keys(upstream)) if (!drop.has(name.toLowerCase())) out[name] = upstream[name]!
  return out
}

export function createProxyRouting(options: ProxyRoutingOptions = {}): ProxyRouting {
  const policy = createFallbackPolicy(options.fallback)
  const timeoutMs = options.timeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS
  const callOf = (
    split: RequestSplit,
    attempt: Attempt<ProxyTarget>,
    request: ProxyRequest,
    experiment: string,
    routes: FallbackRoutes<ProxyTarget>,
  ): UpstreamCall => {
    const target = attempt.target
    const path = target.path + withoutPrefix(request.url, options.stripPrefix)
    const variantHeader = split.upstreamHeader
    const headers = variantHeader === undefined ? target.headers : [...target.headers, variantHeader]
    if (attempt.fallback !== undefined) split.note(experiment, { fallback: true })
    return { send: true, attempt, url: target.origin + path, origin: target.origin, path, headers, timeoutMs, experiment, routes }
  }
  const report = (split: RequestSplit, call: UpstreamCall, error: 'timeout' | 'failed', what: string) => {
    const where = `the upstream of variant ${JSON.stringify(call.attempt.variant)} of ${call.experiment} (${call.origin})`
    const [code, why] =
      error === 'timeout'
        ? [ErrorCode.UpstreamTimeout, `sent nothing for ${timeoutMs} ms`]
        : [ErrorCode.UpstreamFailed, 'failed (refused, reset or unreachable)']
    split.report(new SplitlaneError(code, `proxy: ${where} ${why}; ${what}`, { experiment: call.experiment }))
    return code
  }
  const failure = (split: RequestSplit, call: UpstreamCall, error: 'timeout' | 'failed'): ProxyAnswer =>
    error === 'timeout'
      ? answer(504, 'splitlane: the upstream did not answer in time', report(split, call, error, 'answered 504'))
      : answer(502, 'splitlane: the upstream failed', report(split, call, error, 'answered 502'))
  return {
    start(split, request, env, now) {
      if (split === undefined) return NOT_SPLIT
      const found = split.upstream(options.experiment, undefined, env)
      if (found.assignment === undefined || found.routes === undefined) {
        if (!found.ok) split.report(found.error)
        return answer(502, 'splitlane: no upstream for this variant', ErrorCode.UpstreamInvalid)
      }
      const experiment = found.assignment.experiment
      const attempt = policy.plan(found.routes, found.assignment.variant, now, (error) => split.report(error))
      if (attempt instanceof SplitlaneError) return answer(502, 'splitlane: no upstream for this variant', attempt.code)
      return callOf(split, attempt, request, experiment, found.routes)
    },
    settle(split, call, request, outcome, now) {
      const error = 'error' in outcome ? outcome.error : undefined
      const settled = policy.settle(
        call.routes,
        call.attempt,
        request.method,
        error === undefined ? { status: (outcome as { status: number }).status, bodyFollows: true } : { error: true },
        now,
      )
      const retry = request.hasBody ? null : settled.retry
      if (retry !== null) {
        split.note(call.experiment, { error: true })
        return callOf(split, retry, request, call.experiment, call.routes)
      }
      if (error !== undefined) return failure(split, call, error)
      split.firstByte() // the response is passed on: its headers are the first byte the client gets
      return null
    },
    bodyEnded(split, call, end, now) {
      if (end === 'complete' || end === 'client_gone')
        return policy.bodyEnded(call.attempt, end === 'complete' ? 'complete' : 'abandoned', now)
      policy.bodyEnded(call.attempt, 'failed', now)
      split.note(call.experiment, { error: true })
      report(split, call, end, "while sending its response's body; the client's connection was closed")
    },
  }
}
