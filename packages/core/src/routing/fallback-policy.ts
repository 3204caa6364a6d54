// The fallback to control and the circuit breaker, decided once for every router of calls: createSplitFetch
// and the proxies of every adapter. Pure: the caller sends, and tells the policy what happened and when.
import { SplitlaneError } from '../errors.js'
import { isFailure } from '../metrics/failure.js'
import { createCircuitBreaker, type CircuitBreakerOptions } from './breaker.js'
import { IDEMPOTENT_METHODS, shouldRetry, type Fallback, type FallbackReason } from './fallback.js'

export interface FallbackOptions {
  /** Statuses of the variant's upstream that are retried on control (for idempotent methods). Default none. */
  retryableStatuses?: readonly number[]
  /** Per-variant circuit breaker; `false` to turn it off. */
  breaker?: false | CircuitBreakerOptions
}

/** Where a variant's calls go, as the caller resolves it (a route, a proxy target). */
export interface FallbackRoutes<T> {
  /** The variant's target, or the error that makes it unusable. */
  resolve(variant: string | null): T | SplitlaneError
  /** The control variant's name in the config in force. */
  control(): string | null
}

/** One attempt: the variant whose target is used, and why it is not the assigned one when it is not. */
export interface Attempt<T> {
  readonly variant: string | null
  readonly target: T
  readonly fallback?: Fallback
  /** The assigned variant's own target, and it is not control: the breaker watches it, a failure may go to control. */
  readonly guarded: boolean
}

/** What came back from an attempt: a status, or an error (network, reset, timeout). */
export interface AttemptOutcome {
  readonly status?: number
  readonly error?: boolean
  /**
   * A response body is still to come (a proxy relays it): a good status is not yet a success for the breaker,
   * which waits for `bodyEnded`, so an upstream that always breaks mid-body still opens its circuit.
   */
  readonly bodyFollows?: boolean
}

/** How a relayed body ended: whole, broken by the upstream, or abandoned by the client (no verdict). */
export type BodyEnd = 'complete' | 'failed' | 'abandoned'

export interface Settled<T> {
  /** Did the assigned variant's own upstream fail in this attempt? (It counts as an error of the variant.) */
  readonly variantFailed: boolean
  /** The retry on control, when the policy wants one. */
  readonly retry: Attempt<T> | null
}

export interface FallbackPolicy {
  /**
   * The first attempt for a unit assigned `variant`: its own target, or control's when its circuit is
   * open or its target unusable (the error is reported). The error itself when control is no better.
   */
  plan<T>(
    routes: FallbackRoutes<T>,
    variant: string | null,
    now: number,
    report: (error: SplitlaneError) => void,
  ): Attempt<T> | SplitlaneError
  /** Would a failure of this attempt be retried on control? (The caller keeps a copy of the body then.) */
  mayRetry(method: string, attempt: Attempt<unknown>): boolean
  /** Does `settle` need to hear about this attempt (breaker or retry)? When not, `variantFailed` is `isFailure` alone. */
  watches(method: string, attempt: Attempt<unknown>): boolean
  /** Tells the breaker what happened and decides the retry on control. */
  settle<T>(routes: FallbackRoutes<T>, attempt: Attempt<T>, method: string, outcome: AttemptOutcome, now: number): Settled<T>
  /** After a `bodyFollows` settle: tells the breaker how the body ended. */
  bodyEnded(attempt: Attempt<unknown>, end: BodyEnd, now: number): void
}

/**
 * Without options: an unusable target goes to control, nothing is retried, no breaker. With `fallback`
 * options: one retry on control for idempotent methods after a network error (or a listed status), and a
 * per-variant circuit breaker (on unless `breaker: false`). Breaker keys are the variant names.
 */
export function createFallbackPolicy(options: FallbackOptions | undefined): FallbackPolicy {
  const retryable = options?.retryableStatuses ?? []
  const breaker = options === undefined || options.breaker === false ? null : createCircuitBreaker(options.breaker ?? {})
  const toControl = <T>(
    routes: FallbackRoutes<T>,
    from: string,
    reason: FallbackReason,
    extra: Partial<Fallback> = {},
  ): Attempt<T> | null => {
    const control = routes.control()
    if (control === null || control === from) return null
    const target = routes.resolve(control)
    if (target instanceof SplitlaneError) return null
    return { variant: control, target, fallback: { reason, from, to: control, ...extra }, guarded: false }
  }
  // Attempts whose good status waits for the end of their body before the breaker hears of it.
  const awaitingBody = new WeakSet<Attempt<unknown>>()
  const mayRetry = (method: string, attempt: Attempt<unknown>) =>
    options !== undefined && attempt.guarded && IDEMPOTENT_METHODS.includes(method.toUpperCase())
  return {
    plan(routes, variant, now, report) {
      const target = routes.resolve(variant)
      if (target instanceof SplitlaneError) {
        report(target)
        return toControl(routes, variant ?? '', 'upstream_invalid', { code: target.code }) ?? target
      }
      const guarded = variant !== null && variant !== routes.control()
      if (guarded && breaker !== null && !breaker.allow(variant, now))
        return toControl(routes, variant, 'circuit_open') ?? { variant, target, guarded }
      return { variant, target, guarded }
    },
    mayRetry,
    watches: (method, attempt) => (breaker !== null && attempt.guarded) || mayRetry(method, attempt),
    settle(routes, attempt, method, outcome, now) {
      const failed = isFailure(outcome)
      if (attempt.guarded && breaker !== null) {
        if (failed) breaker.failure(attempt.variant!, now)
        else if (outcome.bodyFollows !== true) breaker.success(attempt.variant!)
        else awaitingBody.add(attempt)
      }
      if (!failed || attempt.fallback !== undefined) return { variantFailed: failed && attempt.fallback === undefined, retry: null }
      if (!mayRetry(method, attempt)) return { variantFailed: true, retry: null }
      const reason = shouldRetry(method, { error: outcome.error === true, status: outcome.status }, retryable)
      const retry =
        reason === null
          ? null
          : toControl(routes, attempt.variant ?? '', reason, outcome.status === undefined ? {} : { status: outcome.status })
      return { variantFailed: true, retry }
    },
    bodyEnded(attempt, end, now) {
      if (breaker === null || !awaitingBody.delete(attempt)) return // settled already (a failed status), or told twice
      if (end === 'complete') breaker.success(attempt.variant!)
      else if (end === 'failed') breaker.failure(attempt.variant!, now)
      else breaker.release(attempt.variant!)
    },
  }
}
