import type { FastifyReplyFromHooks, FastifyReplyFromOptions } from '@fastify/reply-from'
import type { ExperimentName, HandlersByVariant, RegisteredNames, RequestAssignments } from '@splitlane/core'
import type { HttpSplitOptions, ProxyFallbackOptions } from '@splitlane/core/adapter'
import type { FastifyRequest, RouteHandlerMethod } from 'fastify'

/** Assignments of one request, by experiment name (typed by a registered config, see docs/guides/typed-names.md). */
export type SplitlaneAssignments = RequestAssignments

/** Plugin options: the shared adapter options, getters receiving Fastify's `request`. */
export type FastifySplitlaneOptions = HttpSplitOptions<FastifyRequest>

/** Route-level options, under the route's `config.splitlane` (names typed by a registered config). */
export type SplitlaneRouteConfig = {
  /** The experiments to assign on this route (default: the plugin's list, else all). */
  experiments?: readonly ExperimentName<RegisteredNames>[]
} & {
  [E in ExperimentName<RegisteredNames>]: {
    /** The experiment `variants` routes by; default: the route's only experiment. */
    experiment?: E
    /** One handler per variant name; a variant without one gets the route's own handler. */
    variants?: HandlersByVariant<RegisteredNames, E, RouteHandlerMethod>
  }
}[ExperimentName<RegisteredNames>]

export interface FastifyProxyOptions {
  /** The experiment whose variant `value` is the upstream (a URL or `{ url, headers }`); default: the route's only experiment. */
  experiment?: ExperimentName<RegisteredNames>
  /** Which requests to proxy within the plugin's prefix; default `/*`. */
  url?: string
  /** Forward `/api/x` as `/x` (the plugin's prefix removed) instead of the whole URL. Default `false`. */
  stripPrefix?: boolean
  /** Where `${NAME}` in the upstream's header values is looked up, once per config revision. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Milliseconds the upstream may stay silent (before its answer or mid-body): then 504, or the connection closed. Default 30,000. */
  timeoutMs?: number
  /** Retry once on control (GET and the like without a body, after a refused, reset or timed-out upstream) and a circuit breaker. */
  fallback?: ProxyFallbackOptions
  /**
   * Options for `@fastify/reply-from` when this plugin registers it (it does unless `reply.from` exists; then a
   * client that goes away no longer aborts the upstream call). Calls go over node:http (its `http` options).
   */
  replyFrom?: FastifyReplyFromOptions
  /** Per-request options for `reply.from` (header rewriting); `timeout`, `onResponse` and `onError` are set by splitlane. */
  from?: FastifyReplyFromHooks
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's assignments (`null` before the plugin ran). */
    splitlane: SplitlaneAssignments | null
  }
  interface FastifyContextConfig {
    splitlane?: SplitlaneRouteConfig
  }
}
