import type { ExperimentName, RegisteredNames, RequestAssignments } from '@splitlane/core'
import type { HttpSplitOptions, ProxyFallbackOptions } from '@splitlane/core/adapter'
import type { Request, Response } from 'express'
import type { Options as ProxyOptions } from 'http-proxy-middleware'

/** Assignments of one request, by experiment name (typed by a registered config, see docs/guides/typed-names.md). */
export type SplitlaneAssignments = RequestAssignments

/** `splitlane` options: the shared adapter options, getters receiving Express's `req`. */
export type ExpressSplitlaneOptions = HttpSplitOptions<Request>

export type { ByVariantOptions } from '@splitlane/core'

export interface ExpressProxyOptions {
  /** The experiment whose variant `value` is the upstream (a URL or `{ url, headers }`); default: the route's only experiment. */
  experiment?: ExperimentName<RegisteredNames>
  /** Where `${NAME}` in the upstream's header values is looked up, once per config revision. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Milliseconds the upstream may stay silent (before its answer or mid-body): then 504, or the connection closed. Default 30,000. */
  timeoutMs?: number
  /** Retry once on control (GET and the like without a body, after a refused, reset or timed-out upstream) and a circuit breaker. */
  fallback?: ProxyFallbackOptions
  /** Passed on to http-proxy-middleware (e.g. `agent`); `target`, `router` and `pathRewrite` are set by splitlane. */
  proxy?: Omit<ProxyOptions<Request, Response>, 'target' | 'router' | 'pathRewrite'>
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's assignments, set by `splitlane`. */
      splitlane?: SplitlaneAssignments
    }
    interface Locals {
      /** The request's assignments (the same object as `req.splitlane`), for views. */
      splitlane?: SplitlaneAssignments
    }
  }
}
