// createSplitFetch: a `fetch` that sends each call to its variant's upstream, labelled and measured.
import { ErrorCode, SplitlaneError, type Assignment, type Outcome } from '@splitlane/core'
import { createCallFallback } from './fallback.js'
import { isLlm, observeLlm } from './llm.js'
import { bodyCopies } from './body.js'
import { buildCall, readCall } from './request.js'
import { createRouter, type Route } from './route.js'
import { tagRoute } from './route-info.js'
import { createShadow } from './shadow.js'
import { startTelemetry } from './telemetry.js'
import type { SplitCall, SplitFetch, SplitFetchOptions } from './types.js'
import { processEnv } from './env.js'

/** The default header naming the variant on the outgoing call: `experiment=variant`. */
export const VARIANT_HEADER = 'splitlane-variant'

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
  const policy = createCallFallback(options.fallback, router, options.now ?? Date.now, report)
  const shadowDeps = { fetch: fetchImpl, env, random: options.random ?? Math.random, now: timer, report, waitUntil: options.waitUntil }
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

  /** `fetch` never throws: a call that cannot even start is a rejected promise, as with `fetch`. */
  const splitFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    try {
      return start(input, init)
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what was thrown, as an async function would
      return Promise.reject(error)
    }
  }

  const start = (input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> => {
    const call = readCall(input, init)
    const assignment = assign(call)
    const plan = policy.plan(assignment.variant)
    const mirror = shadow !== null && shadow.wants(call.method)
    const retry = policy.mayRetry(call.method, plan)
    const bodies = bodyCopies(call.body, 1 + Number(retry) + Number(mirror))
    const mirrorBody = mirror ? bodies.pop()! : null
    const bases = router.bases()
    let used = 0
    const telemetry = startTelemetry(assignment, { method: call.method }, metrics, options.otel)
    const started = timer()
    const build = (route: Route, copy: number) => {
      used |= 1 << copy
      return buildCall(call, bodies[copy]!, route, bases, labels(route.variant, telemetry.headers))
    }
    return policy.send(fetchImpl, plan, call.method, build).then((sent) => {
      if (bodies.length > 1)
        for (const [copy, body] of bodies.entries()) if ((used & (1 << copy)) === 0 && body instanceof ReadableStream) void body.cancel()
      const fallback = sent.fallback
      const finish =
        fallback === undefined
          ? (outcome: Outcome) => telemetry.finish(outcome)
          : (outcome: Outcome) =>
              telemetry.finish({ ...outcome, fallback: true, ...(sent.variantFailed ? { error: true } : {}) }, fallback.reason)
      if (sent.response === undefined) {
        finish({ error: true, latencyMs: timer() - started })
        if (mirrorBody instanceof ReadableStream) void mirrorBody.cancel()
        throw sent.error
      }
      const upstream = sent.route.upstream
      let response = sent.response
      const url = response.url
      if (isLlm(upstream)) response = observeLlm(response, upstream, started, timer, finish)
      else finish({ status: response.status, latencyMs: timer() - started })
      if (shadow !== null && mirror) {
        const primary = shadow.compares ? { response: response.clone(), latencyMs: timer() - started } : undefined
        const traced = startTelemetry(assignment, { method: call.method, shadow: true }, metrics, options.otel)
        const buildShadow = (route: Route, body: BodyInit | null) =>
          buildCall(call, body, route, bases, labels(assignment.variant, traced.headers))
        shadow.fire({ assignment, body: mirrorBody, build: buildShadow, primary, record: (outcome) => traced.finish(outcome) })
      }
      return tagRoute(response, { splitter, assignment, servedBy: sent.route.variant, shadowed: mirror, fallback, url })
    })
  }

  return Object.assign(splitFetch, { shadowStats: () => shadow?.stats() ?? { sent: 0, dropped: 0, failed: 0, timedOut: 0, mismatches: 0 } })
}
