import type { FastifyReplyFromHooks, FastifyReplyFromOptions } from '@fastify/reply-from'
import type { Assignment, HttpSplitOptions } from '@splitlane/core'
import type { FastifyRequest, RouteHandlerMethod } from 'fastify'

/** Assignments of one request, by experiment name. */
export type SplitlaneAssignments = Readonly<Record<string, Assignment>>

/** Plugin options: the shared adapter options, getters receiving Fastify's `request`. */
export type FastifySplitlaneOptions = HttpSplitOptions<FastifyRequest>

/** Route-level options, under the route's `config.splitlane`. */
export interface SplitlaneRouteConfig {
  /** The experiments to assign on this route (default: the plugin's list, else all). */
  experiments?: readonly string[]
  /** The experiment `variants` routes by; default: the route's only experiment. */
  experiment?: string
  /** One handler per variant name; a variant without one gets the route's own handler. */
  variants?: Readonly<Record<string, RouteHandlerMethod>>
}

export interface FastifyProxyOptions {
  /** The experiment whose variant `value` is the upstream (a URL or `{ url, headers }`); default: the route's only experiment. */
  experiment?: string
  /** Which requests to proxy within the plugin's prefix; default `/*`. */
  url?: string
  /** Forward `/api/x` as `/x` (the plugin's prefix removed) instead of the whole URL. Default `false`. */
  stripPrefix?: boolean
  /** Where `${NAME}` in the upstream's header values is looked up, once per config revision. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Options for `@fastify/reply-from` when this plugin registers it (it does unless `reply.from` exists). */
  replyFrom?: FastifyReplyFromOptions
  /** Per-request options for `reply.from` (timeouts, retries, header rewriting). */
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
