// A per-variant circuit breaker: pure state, time passed in by the caller.

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number
  /** How long an open circuit stays open before one probe is let through. Default 30,000 ms. */
  coolDownMs?: number
}

export interface CircuitBreaker {
  /** May a call go to this variant now? `false` while open (and while a probe is in flight). */
  allow(variant: string, now: number): boolean
  /** Reports the outcome of a call that `allow` let through. */
  success(variant: string): void
  failure(variant: string, now: number): void
  /** A call `allow` let through ended with no verdict (its client went away): a half-open circuit may probe again. */
  release(variant: string): void
  state(variant: string, now: number): BreakerState
}

interface Circuit {
  failures: number
  openedAt: number | null
  probing: boolean
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = Math.max(1, Math.floor(options.failureThreshold ?? 5))
  const coolDownMs = Math.max(0, options.coolDownMs ?? 30_000)
  const circuits = new Map<string, Circuit>()
  const circuitOf = (variant: string): Circuit => {
    let circuit = circuits.get(variant)
    if (circuit === undefined) circuits.set(variant, (circuit = { failures: 0, openedAt: null, probing: false }))
    return circuit
  }
  const state = (variant: string, now: number): BreakerState => {
    const circuit = circuits.get(variant)
    if (circuit?.openedAt == null) return 'closed'
    return now - circuit.openedAt >= coolDownMs ? 'half_open' : 'open'
  }
  return {
    state,
    allow(variant, now) {
      const current = state(variant, now)
      if (current === 'closed') return true
      const circuit = circuitOf(variant)
      if (current === 'open' || circuit.probing) return false
      circuit.probing = true
      return true
    },
    success(variant) {
      const circuit = circuits.get(variant)
      if (circuit !== undefined) circuits.delete(variant)
    },
    release(variant) {
      const circuit = circuits.get(variant)
      if (circuit !== undefined) circuit.probing = false
    },
    failure(variant, now) {
      const circuit = circuitOf(variant)
      circuit.failures += 1
      if (circuit.probing || circuit.failures >= threshold) {
        circuit.openedAt = now
        circuit.probing = false
      }
    },
  }
}
