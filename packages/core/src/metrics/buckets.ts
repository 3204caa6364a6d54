// Kept apart from semconv.ts (names only): bucket boundaries are numbers every package may read.
/**
 * The duration histogram's bucket boundaries in seconds (advice on the instrument; a View can
 * override them): 5 ms to 10 s, dense where web latencies and their SLO thresholds lie, as
 * OpenTelemetry's HTTP semantic conventions advise. A latency SLO's threshold should be one of them.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
