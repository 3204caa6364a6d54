// Shadow traffic: fire-and-forget copies to a shadow upstream, bounded, timed out, counted, never awaited by the caller.
import { ErrorCode, SplitlaneError, type Assignment, type Outcome } from '@splitlane/core'
import { SAFE_METHODS, parseUpstream, resolveHeaders } from '@splitlane/core/adapter'
import { holdWith, type WaitUntil } from './lifecycle.js'
import { isLlm, observeLlm } from './llm.js'
import type { Outgoing } from './request.js'
import type { Route } from './route.js'
import type { FetchFunction, ObservedResponse, ShadowOptions, ShadowStatsSnapshot } from './types.js'

/** The header that marks a mirrored copy, so the shadow service (and its logs) can tell. */
export const SHADOW_HEADER = 'splitlane-shadow'

export interface ShadowCall {
  assignment: Assignment
  /** This copy's body (a tee of the caller's stream, or the caller's reusable body). */
  body: BodyInit | null
  build: (route: Route, body: BodyInit | null) => Outgoing | Promise<Outgoing>
  /** The primary response's clone when there is a comparator. */
  primary?: { response: Response; latencyMs: number }
  record: (outcome: Outcome) => void
}

export interface Shadow {
  /** Should this call be mirrored? Decided before the primary is sent, so its body can be copied. */
  wants(method: string): boolean
  readonly compares: boolean
  /** Sends the copy in the background; returns at once. */
  fire(call: ShadowCall): void
  stats(): ShadowStatsSnapshot
}

interface ShadowDeps {
  fetch: FetchFunction
  env: Readonly<Record<string, string | undefined>>
  random: () => number
  now: () => number
  report: (error: SplitlaneError) => void
  /** Keeps the runtime alive until the mirror settles (Workers end an invocation when its response is sent). */
  waitUntil?: WaitUntil
}

export function createShadow(options: ShadowOptions, deps: ShadowDeps, experiment: string): Shadow {
  const upstream = parseUpstream(options.upstream, experiment)
  if (upstream instanceof SplitlaneError) throw upstream
  const headers = resolveHeaders(upstream?.headers, deps.env, experiment)
  if (headers instanceof SplitlaneError) throw headers
  const route: Route = { variant: null, upstream, headers: [...headers, [SHADOW_HEADER, '1']] }
  const methods = (options.methods ?? SAFE_METHODS).map((method) => method.toUpperCase())
  const fraction = Math.min(100, Math.max(0, options.percent ?? 100)) / 100
  const maxConcurrent = options.maxConcurrent ?? 32
  const timeoutMs = options.timeoutMs ?? 10_000
  const counts: ShadowStatsSnapshot = { sent: 0, dropped: 0, failed: 0, timedOut: 0, mismatches: 0 }
  let inFlight = 0

  // Called unbound: the platform fetch of Workers and browsers throws "Illegal invocation" for any other `this`.
  const fetchUnbound = deps.fetch
  const run = async (call: ShadowCall) => {
    const started = deps.now()
    const signal = AbortSignal.timeout(timeoutMs)
    let outcome: Outcome
    let observed: ObservedResponse | undefined
    try {
      const outgoing = await Promise.resolve(call.build(route, call.body))
      const response = await fetchUnbound(outgoing.url, { ...outgoing.init, signal })
      let latest: Outcome = { status: response.status }
      const watched = isLlm(upstream) ? observeLlm(response, upstream, started, deps.now, (result) => (latest = result)) : response
      const body = await watched.text()
      outcome = { ...latest, latencyMs: deps.now() - started, shadow: true }
      observed = { status: response.status, latencyMs: outcome.latencyMs!, body }
    } catch {
      outcome = { error: true, latencyMs: deps.now() - started, shadow: true }
      if (signal.aborted) counts.timedOut++
      else counts.failed++
    }
    if (call.primary !== undefined) {
      const primary = call.primary
      if (observed === undefined) await primary.response.body?.cancel()
      else {
        const same = await options.compare!(
          { status: primary.response.status, latencyMs: primary.latencyMs, body: await primary.response.text() },
          observed,
          call.assignment,
        )
        if (same === false) counts.mismatches++
        outcome.mismatch = same === false
      }
    }
    call.record(outcome)
  }

  return {
    compares: options.compare !== undefined,
    wants: (method) => methods.includes(method) && (fraction >= 1 || deps.random() < fraction),
    fire(call) {
      if (inFlight >= maxConcurrent) {
        counts.dropped++
        void call.primary?.response.body?.cancel()
        if (call.body instanceof ReadableStream) void call.body.cancel()
        return
      }
      inFlight++
      counts.sent++
      const mirrored = run(call)
        .catch((error: unknown) =>
          deps.report(new SplitlaneError(ErrorCode.Internal, 'a shadow comparator failed', { cause: error, experiment })),
        )
        .finally(() => inFlight--)
      holdWith(deps.waitUntil, mirrored)
    },
    stats: () => ({ ...counts }),
  }
}
