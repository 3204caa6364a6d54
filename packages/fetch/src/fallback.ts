// Fallback to control: a route plan that skips open circuits and unusable upstreams, and one retry on control.
import { SplitlaneError, createCircuitBreaker, shouldRetry, IDEMPOTENT_METHODS, type Assignment, type Fallback } from '@splitlane/core'
import type { Outgoing } from './request.js'
import type { Route, Router } from './route.js'
import type { FallbackOptions, FetchFunction } from './types.js'

export interface Plan {
  readonly route: Route
  readonly fallback?: Fallback
}

export interface Sent {
  readonly route: Route
  readonly fallback?: Fallback
  /** Did the assigned variant's own upstream fail in this call? */
  readonly variantFailed: boolean
  readonly response?: Response
  readonly error?: unknown
}

export interface FallbackPolicy {
  /** The route for an assignment: the variant's own, or control when its circuit is open or its upstream unusable. */
  plan(assignment: Assignment): Plan
  /** Does this call need a second copy of its body for a retry on control? */
  mayRetry(method: string, plan: Plan): boolean
  send(
    fetchImpl: FetchFunction,
    plan: Plan,
    method: string,
    build: (route: Route, copy: number) => Outgoing | Promise<Outgoing>,
  ): Promise<Sent>
}

export function createFallbackPolicy(
  options: FallbackOptions | undefined,
  router: Router,
  now: () => number,
  report: (error: SplitlaneError) => void,
): FallbackPolicy {
  const retryable = options?.retryableStatuses ?? []
  const breaker = options === undefined || options.breaker === false ? null : createCircuitBreaker(options.breaker ?? {})
  const toControl = (from: string, reason: Fallback['reason'], extra: Partial<Fallback> = {}): Plan | null => {
    const control = router.control()
    const route = router.route(control)
    if (control === null || control === from || route instanceof SplitlaneError) return null
    return { route, fallback: { reason, from, to: control, ...extra } }
  }
  const mayRetry = (method: string, plan: Plan) =>
    options !== undefined && plan.fallback === undefined && plan.route.variant !== router.control() && IDEMPOTENT_METHODS.includes(method)
  /** The common call: one attempt, no breaker to tell. One promise step between fetch and the caller. */
  const sendOnce = (fetchImpl: FetchFunction, plan: Plan, build: (route: Route, copy: number) => Outgoing | Promise<Outgoing>) => {
    const own = plan.fallback === undefined
    const sent = (response: Response | undefined, error?: unknown): Sent => ({
      route: plan.route,
      fallback: plan.fallback,
      variantFailed: own && (response === undefined || response.status >= 500),
      response,
      error,
    })
    try {
      const built = build(plan.route, 0)
      const response =
        built instanceof Promise ? built.then((call) => fetchImpl(call.url, call.init)) : Promise.resolve(fetchImpl(built.url, built.init))
      return response.then(sent, (error: unknown) => sent(undefined, error))
    } catch (error) {
      return Promise.resolve(sent(undefined, error))
    }
  }
  const sendGuarded: FallbackPolicy['send'] = async (fetchImpl, plan, method, build) => {
    const variant = plan.route.variant
    const guarded = breaker !== null && plan.fallback === undefined && variant !== null && variant !== router.control()
    let response: Response | undefined
    let error: unknown
    try {
      const built = build(plan.route, 0)
      const call = built instanceof Promise ? await built : built
      response = await fetchImpl(call.url, call.init)
    } catch (thrown) {
      error = thrown
    }
    const failed = response === undefined || response.status >= 500
    if (guarded && failed) breaker.failure(variant, now())
    else if (guarded) breaker.success(variant)
    if (!failed || plan.fallback !== undefined || !mayRetry(method, plan))
      return { ...plan, variantFailed: failed && plan.fallback === undefined, response, error }
    const reason = shouldRetry(method, { error: response === undefined, status: response?.status }, retryable)
    const retry = reason === null ? null : toControl(variant ?? '', reason, response === undefined ? {} : { status: response.status })
    if (retry === null) return { ...plan, variantFailed: true, response, error }
    await response?.body?.cancel().catch(() => undefined)
    try {
      const built = build(retry.route, 1)
      const call = built instanceof Promise ? await built : built
      return { ...retry, variantFailed: true, response: await fetchImpl(call.url, call.init) }
    } catch (thrown) {
      return { ...retry, variantFailed: true, error: thrown }
    }
  }

  return {
    plan(assignment) {
      const route = router.route(assignment.variant)
      if (route instanceof SplitlaneError) {
        report(route)
        return (
          toControl(assignment.variant ?? '', 'upstream_invalid', { code: route.code }) ?? {
            route: { variant: assignment.variant, upstream: null, headers: [] },
          }
        )
      }
      const variant = assignment.variant
      if (breaker !== null && variant !== null && variant !== router.control() && !breaker.allow(variant, now()))
        return toControl(variant, 'circuit_open') ?? { route }
      return { route }
    },
    mayRetry,
    send(fetchImpl, plan, method, build) {
      const variant = plan.route.variant
      const guarded = breaker !== null && plan.fallback === undefined && variant !== null && variant !== router.control()
      return guarded || mayRetry(method, plan) ? sendGuarded(fetchImpl, plan, method, build) : sendOnce(fetchImpl, plan, build)
    },
  }
}
