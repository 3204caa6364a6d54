// What an outgoing-call adapter asks of OpenTelemetry; `createCallInstrumentation` (`@splitlane/core/otel`) provides it.
import type { Outcome } from '../metrics/types.js'
import type { Assignment } from '../types.js'

export interface OutgoingCall {
  method: string
  /** A mirrored copy. */
  shadow?: boolean
}

export interface CallTrace {
  /** Headers for the call: `traceparent`/`tracestate` of its client span, and `baggage` with the variant when enabled. */
  readonly headers: readonly (readonly [string, string])[]
  /** Ends the call's span and records it on the counter and histogram. */
  end(outcome: Outcome & { fallback?: boolean; fallbackReason?: string }): void
}

/** Any object of this shape works as an adapter's `otel` option for outgoing calls. */
export interface CallInstrumentation {
  start(assignment: Assignment, call: OutgoingCall): CallTrace
}
