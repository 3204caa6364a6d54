// One call's telemetry: per-variant metrics and, when given, its OpenTelemetry span. Never throws.
import type { Assignment, Outcome } from '@splitlane/core'
import type { CallInstrumentation, FallbackReason } from '@splitlane/core/adapter'
import type { OutcomeSink } from './types.js'

export interface CallTelemetry {
  /** `traceparent` (and `baggage`) for the outgoing call. */
  readonly headers: readonly (readonly [string, string])[]
  /** Records the outcome once: metrics, then the span's end. */
  finish(outcome: Outcome, fallback?: FallbackReason): void
}

const quietly = (action: () => void) => {
  try {
    action()
  } catch {
    // telemetry never fails a call
  }
}

export function startTelemetry(
  assignment: Assignment,
  call: { method: string; shadow?: boolean },
  metrics: OutcomeSink | undefined,
  otel: CallInstrumentation | undefined,
): CallTelemetry {
  let trace: ReturnType<CallInstrumentation['start']> | undefined
  if (otel !== undefined) quietly(() => (trace = otel.start(assignment, call)))
  let done = false
  return {
    headers: trace?.headers ?? [],
    finish(outcome, fallback) {
      if (done) return
      done = true
      if (metrics !== undefined)
        try {
          metrics.record(assignment, outcome)
        } catch {
          // telemetry never fails a call
        }
      if (trace !== undefined) quietly(() => trace!.end(fallback === undefined ? outcome : { ...outcome, fallbackReason: fallback }))
    },
  }
}
