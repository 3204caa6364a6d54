// createSplitFetch's side of the fallback policy (core decides: plan, retry on control, breaker): sending, and the retry's I/O.
import { SplitlaneError } from '@splitlane/core'
import {
  createFallbackPolicy,
  isFailure,
  type Attempt,
  type Fallback,
  type FallbackOptions,
  type FallbackRoutes,
} from '@splitlane/core/adapter'
import type { Outgoing } from './request.js'
import type { Route, Router } from './route.js'
import type { FetchFunction } from './types.js'

export type Plan = Attempt<Route>

export interface Sent {
  readonly route: Route
  readonly fallback?: Fallback
  /** Did the assigned variant's own upstream fail in this call? */
  readonly variantFailed: boolean
  readonly response?: Response
  readonly error?: unknown
}

export interface CallFallback {
  /** The route for an assignment: the variant's own, or control when its circuit is open or its upstream unusable. */
  plan(variant: string | null): Plan
  /** Does this call need a second copy of its body for a retry on control? */
  mayRetry(method: string, plan: Plan): boolean
  send(
    fetchImpl: FetchFunction,
    plan: Plan,
    method: string,
    build: (route: Route, copy: number) => Outgoing | Promise<Outgoing>,
  ): Promise<Sent>
}

export function createCallFallback(
  options: FallbackOptions | undefined,
  router: Router,
  now: () => number,
  report: (error: SplitlaneError) => void,
): CallFallback {
  const policy = createFallbackPolicy(options)
  const routes: FallbackRoutes<Route> = { resolve: (variant) => router.route(variant), control: () => router.control() }
  const sent = (plan: Plan, variantFailed: boolean, response: Response | undefined, error?: unknown): Sent => ({
    route: plan.target,
    fallback: plan.fallback,
    variantFailed,
    response,
    error,
  })
  const attempt = async (
    fetchImpl: FetchFunction,
    plan: Plan,
    build: (route: Route, copy: number) => Outgoing | Promise<Outgoing>,
    copy: number,
  ) => {
    const built = build(plan.target, copy)
    const call = built instanceof Promise ? await built : built
    return fetchImpl(call.url, call.init)
  }
  /** The common call: one attempt, nothing to tell. One promise step between fetch and the caller. */
  const sendOnce = (fetchImpl: FetchFunction, plan: Plan, build: (route: Route, copy: number) => Outgoing | Promise<Outgoing>) => {
    const own = plan.fallback === undefined
    try {
      const built = build(plan.target, 0)
      const response =
        built instanceof Promise ? built.then((call) => fetchImpl(call.url, call.init)) : Promise.resolve(fetchImpl(built.url, built.init))
      return response.then(
        (answered) => sent(plan, own && isFailure(answered), answered),
        (error: unknown) => sent(plan, own, undefined, error),
      )
    } catch (error) {
      return Promise.resolve(sent(plan, own, undefined, error))
    }
  }
  const sendWatched: CallFallback['send'] = async (fetchImpl, plan, method, build) => {
    let response: Response | undefined
    let error: unknown
    try {
      response = await attempt(fetchImpl, plan, build, 0)
    } catch (thrown) {
      error = thrown
    }
    const outcome = response === undefined ? { error: true } : { status: response.status }
    const { variantFailed, retry } = policy.settle(routes, plan, method, outcome, now())
    if (retry === null) return sent(plan, variantFailed, response, error)
    await response?.body?.cancel().catch(() => undefined)
    try {
      return sent(retry, true, await attempt(fetchImpl, retry, build, 1))
    } catch (thrown) {
      return sent(retry, true, undefined, thrown)
    }
  }

  return {
    plan(variant) {
      const plan = policy.plan(routes, variant, now(), report)
      // neither the variant nor control has a usable upstream: the call goes where the caller sent it
      return plan instanceof SplitlaneError ? { variant, target: { variant, upstream: null, headers: [] }, guarded: false } : plan
    },
    mayRetry: (method, plan) => policy.mayRetry(method, plan),
    send: (fetchImpl, plan, method, build) =>
      policy.watches(method, plan) ? sendWatched(fetchImpl, plan, method, build) : sendOnce(fetchImpl, plan, build),
  }
}
