// createSplitFetch: a `fetch` that sends each call to its variant's upstream, labelled and measured.
import { ErrorCode, SplitlaneError, explainFallback, type Assignment, type Outcome } from '@splitlane/core'
import { createFallbackPolicy } from './fallback.js'
import { isLlm, observeLlm } from './llm.js'
import { bodyCopies, buildCall, readCall } from './request.js'
import { createRouter, type Route } from './route.js'
import { createShadow } from './shadow.js'
import { startTelemetry } from './telemetry.js'
import type { RouteInfo, SplitCall, SplitFetch, SplitFetchOptions } from './types.js'

/** The default header naming the variant on the outgoing call: `experiment=variant`. */
export const VARIANT_HEADER = 'splitlane-variant'

const routes = new WeakMap<Response, RouteInfo>()

/** How a response of `splitFetch` was routed (assignment, served variant, fallback, explanation). */
export const routeOf = (response: Response): RouteInfo | undefined => routes.get(response)

const processEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env ?? {}

export function createSplitFetch(options: SplitFetchOptions): SplitFetch {
  if (typeof options?.splitter?.assign !== 'function' || typeof options.experiment !== 'string')
    throw new SplitlaneError(
      ErrorCode.OptionsInvalid,
      'createSplitFetch needs { splitter, experiment }: a splitter and the name of the experiment',
    )
  const { splitter, experiment, metrics } = options
  const fetchImpl = options.fetch ?? globalThis.fetch
  const timer = () => performance.now()
  const env = options.env ?? processEnv()
  const header = options.header === false ? null : (options.header ?? VARIANT_HEADER)
  const report = (error: SplitlaneError) => {
    try {
      options.onError?.(error)
    } catch {
      // a failing error handler must not fail the call
    }
  }
  const router = createRouter({ splitter, experiment, upstreams: options.upstreams, env })
  const policy = createFallbackPolicy(options.fallback, router, options.now ?? Date.now, report)
  const shadowDeps = { fetch: fetchImpl, env, random: options.random ?? Math.random, now: timer, report }
  const shadow = options.shadow === undefined ? null : createShadow(options.shadow, shadowDeps, experiment)

  const assign = (call: SplitCall): Assignment => {
    let key: ReturnType<NonNullable<SplitFetchOptions['key']>>
    let attributes: ReturnType<NonNullable<SplitFetchOptions['attributes']>>
    try {
      key = options.key?.(call)
      attributes = options.attributes?.(call)
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.GetterFailed, 'the key or attributes getter of createSplitFetch threw', { cause, experiment }))
    }
    return splitter.assign(experiment, { key, attributes })
  }
  const labelled = new Map<string, readonly (readonly [string, string])[]>()
  const labels = (variant: string | null, traced: readonly (readonly [string, string])[]): readonly (readonly [string, string])[] => {
    if (header === null || variant === null) return traced
    let own = labelled.get(variant)
    if (own === undefined) labelled.set(variant, (own = [[header, `${experiment}=${variant}`]]))
    return traced.length === 0 ? own : [...own, ...traced]
  }

  const splitFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const call = readCall(input, init)
    const assignment = assign(call)
    const plan = policy.plan(assignment)
    const mirror = shadow !== null && shadow.wants(call.method)
    const retry = policy.mayRetry(call.method, plan)
    const bodies = bodyCopies(call.body, 1 + Number(retry) + Number(mirror))
    const mirrorBody = mirror ? bodies.pop()! : null
    const bases = router.bases()
    let used = 0
    const telemetry = startTelemetry(assignment, { method: call.method }, metrics, options.otel)
    const started = timer()
    const sent = await policy.send(fetchImpl, plan, call.method, (route, copy) => {
      used |= 1 << copy
      return buildCall(call, bodies[copy]!, route, bases, labels(route.variant, telemetry.headers))
    })
    if (bodies.length > 1)
      for (const [copy, body] of bodies.entries()) if ((used & (1 << copy)) === 0 && body instanceof ReadableStream) void body.cancel()
    const fallback = sent.fallback
    const base: Outcome = fallback === undefined ? {} : { fallback: true, ...(sent.variantFailed ? { error: true } : {}) }
    const finish = (outcome: Outcome) => telemetry.finish({ ...outcome, ...base }, fallback?.reason)
    if (sent.response === undefined) {
      finish({ error: true, latencyMs: timer() - started })
      if (mirrorBody instanceof ReadableStream) void mirrorBody.cancel()
      throw sent.error
    }
    const upstream = sent.route.upstream
    let response = sent.response
    if (isLlm(upstream)) response = observeLlm(response, upstream, started, timer, finish)
    else finish({ status: response.status, latencyMs: timer() - started })
    if (shadow !== null && mirror) {
      const primary = shadow.compares ? { response: response.clone(), latencyMs: timer() - started } : undefined
      const traced = startTelemetry(assignment, { method: call.method, shadow: true }, metrics, options.otel)
      const build = (route: Route, body: BodyInit | null) => buildCall(call, body, route, bases, labels(assignment.variant, traced.headers))
      shadow.fire({ assignment, body: mirrorBody, build, primary, record: (outcome) => traced.finish(outcome) })
    }
    routes.set(response, {
      assignment,
      servedBy: sent.route.variant,
      url: response.url,
      shadowed: mirror,
      ...(fallback === undefined ? {} : { fallback }),
      explain: () => splitter.explain(assignment) + (fallback === undefined ? '' : ` ${explainFallback(fallback)}`),
    })
    return response
  }
  return Object.assign(splitFetch, { shadowStats: () => shadow?.stats() ?? { sent: 0, dropped: 0, failed: 0, timedOut: 0, mismatches: 0 } })
}
