// When a call may be retried on control, and how a fallback reads in an explanation.

/** Methods a retry cannot turn into a second effect (RFC 9110 idempotent methods). */
export const IDEMPOTENT_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']
/** Methods a mirror may replay by default: the safe ones, which change nothing upstream. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS']

export type FallbackReason = 'network_error' | 'retryable_status' | 'circuit_open' | 'upstream_invalid'

/** Why a call was served by control rather than by its variant. */
export interface Fallback {
  readonly reason: FallbackReason
  /** The variant the unit was assigned (and that failed or was skipped). */
  readonly from: string
  /** The variant that served the call instead. */
  readonly to: string
  /** The variant's status when it was a retryable 5xx. */
  readonly status?: number
  /** The error code when the upstream was unusable. */
  readonly code?: string
}

/** Should a failed attempt be retried once on control? */
export function shouldRetry(
  method: string,
  failure: { error: boolean; status?: number },
  retryableStatuses: readonly number[],
): FallbackReason | null {
  if (!IDEMPOTENT_METHODS.includes(method.toUpperCase())) return null
  if (failure.error) return 'network_error'
  if (failure.status !== undefined && retryableStatuses.includes(failure.status)) return 'retryable_status'
  return null
}

const WHY: Record<FallbackReason, (fallback: Fallback) => string> = {
  network_error: (f) => `the call to "${f.from}" failed with a network error, so it was retried once on control "${f.to}"`,
  retryable_status: (f) => `"${f.from}" answered ${f.status ?? '5xx'}, marked retryable, so the call was retried once on control "${f.to}"`,
  circuit_open: (f) =>
    `the circuit breaker for "${f.from}" is open after repeated failures, so the call went to control "${f.to}" until a probe succeeds`,
  upstream_invalid: (f) => `"${f.from}" has no usable upstream (${f.code ?? 'invalid'}), so the call went to control "${f.to}"`,
}

/** One sentence saying why a call was served by control; appended to the assignment's explanation. */
export function explainFallback(fallback: Fallback): string {
  return `Fallback: ${WHY[fallback.reason](fallback)}.`
}
