// Public types of withSplitlane, byVariant and proxyByVariant (the server side of @splitlane/fetch).
import type { ExperimentName, RegisteredNames, RequestAssignments } from '@splitlane/core'
import type { HttpSplitOptions, ProxyFallbackOptions } from '@splitlane/core/adapter'
import type { FetchFunction } from './types.js'

/** A Fetch-API handler; extra arguments (Workers' `env`, `ctx`) pass through `withSplitlane`. */
export type FetchHandler<Rest extends unknown[] = []> = (request: Request, ...rest: Rest) => Response | Promise<Response>

/** Assignments of one request, by experiment name (typed by a registered config, see docs/guides/typed-names.md). */
export type SplitlaneAssignments = RequestAssignments

/** `withSplitlane` options: the shared adapter options, getters receiving the `Request`. */
export interface SplitlaneServerOptions extends HttpSplitOptions<Request> {
  /** The client IP, which a Fetch `Request` does not carry (Bun: `server.requestIP(req)`, Deno: `info.remoteAddr`). */
  getIp?: (request: Request) => string | undefined
  /** The user your auth step identified (like Express's `req.user`): its `id`, or the value itself, is the key. */
  getUser?: (request: Request) => unknown
  /**
   * Turns an error your handler threw into a response, which then carries the variant header and
   * is counted by its status. Without it the error is recorded as an error of the variant and rethrown.
   */
  onHandlerError?: (error: unknown, request: Request) => Response | Promise<Response>
  /**
   * Keeps the runtime alive until the request's outcome is recorded (a proxied body records it when it ends).
   * Default: the `waitUntil` of a Workers `ctx` passed to the handler (`fetch(request, env, ctx)`).
   */
  waitUntil?: (promise: Promise<unknown>) => void
}

export type { ByVariantOptions } from '@splitlane/core'

export interface ProxyOptions {
  /** The experiment whose variant `value` is the upstream (a URL or `{ url, headers }`); default: the route's only experiment. */
  experiment?: ExperimentName<RegisteredNames>
  /** Where `${NAME}` in the upstream's header values is looked up, once per config revision. Default: `process.env` where there is one. */
  env?: Readonly<Record<string, string | undefined>>
  /** A path prefix removed before forwarding (`/api/users` -> `/users` with `'/api'`). */
  stripPrefix?: string
  /** The fetch that forwards. Default `globalThis.fetch`. */
  fetch?: FetchFunction
  /** Milliseconds the upstream may stay silent (before its answer or mid-body): then 504, or the connection closed. Default 30,000. */
  timeoutMs?: number
  /** Retry once on control (GET and the like without a body, after a refused, reset or timed-out upstream) and a circuit breaker. */
  fallback?: ProxyFallbackOptions
}
