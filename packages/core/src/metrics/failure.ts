// What counts as a failure, in one place: metrics, OpenTelemetry, the fallback policy and the circuit breaker all ask here.

/**
 * An outcome is a failure when it is an error (thrown, network error, timeout, reset, the client went
 * away) or its HTTP status is 5xx. A 4xx is the client's problem, not the variant's.
 */
export function isFailure(outcome: { readonly status?: number; readonly error?: boolean } | undefined): boolean {
  if (outcome === undefined) return false
  const status = outcome.status
  return outcome.error === true || (typeof status === 'number' && status >= 500 && status < 600)
}
