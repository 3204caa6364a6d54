// Public types of the per-variant metrics model (contract 1). Every window is plain JSON.

/** What happened to one request (or one unit of work) served by a variant. Every field is optional. */
export interface Outcome {
  /** HTTP status; 5xx counts as an error. */
  status?: number
  /** Thrown, network error or timeout. */
  error?: boolean
  /** Total duration in milliseconds. */
  latencyMs?: number
  /** Time to first byte in milliseconds (a proxy: the upstream's response headers; an LLM call: the first chunk of its body). */
  ttfbMs?: number
  promptTokens?: number
  completionTokens?: number
  /** Currency units for this request. */
  cost?: number
  /** A mirrored copy: counted apart from primary traffic, in `VariantStats.shadow`. */
  shadow?: boolean
  /** Served by the control upstream after the variant failed. */
  fallback?: boolean
  /** With `shadow`: a comparator found the mirrored response different from the primary's. */
  mismatch?: boolean
  /** Business events: name -> value (a conversion is 1, a reward is any number). */
  events?: Readonly<Record<string, number>>
  /**
   * Only `events`, reported apart from the request that exposed the unit (OpenFeature `track`): no request is
   * counted, so rates per request keep the exposures as their denominator.
   */
  eventsOnly?: boolean
}

/** Who served the request: an `Assignment` can be passed as it is. */
export interface MetricsTarget {
  readonly experiment: string
  /** `null` (an unknown experiment) is not recorded. */
  readonly variant: string | null
  /** `false` (an Assignment that was overridden, not exposed, disabled or failed): counted in `excluded` only. */
  readonly inExperiment?: boolean
}

/**
 * A mergeable quantile sketch (DDSketch-style logarithmic buckets). Any quantile it returns is
 * within `relativeAccuracy` (1%) of the true value of that rank. Plain JSON: merge by adding bins.
 */
export interface QuantileSketch {
  relativeAccuracy: number
  count: number
  sum: number
  /** `null` while empty (JSON has no Infinity). */
  min: number | null
  max: number | null
  /** Values at or below 1e-9 (a zero latency). */
  zeroCount: number
  /** Bucket index -> count. Bucket i holds values in (gamma^(i-1), gamma^i], gamma = (1 + a) / (1 - a). */
  bins: Record<string, number>
}

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx'

/** Counts and sum of one business event (a conversion: count of 1s; a reward: its sum). */
export interface EventStats {
  count: number
  sum: number
}

/** Mirrored (shadow) traffic of a variant, kept apart from what users were served. */
export interface ShadowStats {
  requests: number
  errors: number
  latencyMs: QuantileSketch
  /** Tokens and cost of mirrored LLM calls: what shadowing costs on top of primary traffic. */
  promptTokens: number
  completionTokens: number
  cost: number
  /** Mirrors a comparator found different from the primary response (`mismatch: true`). */
  mismatches: number
}

export interface VariantStats {
  /** Primary (non-shadow) requests of units in the experiment (randomized by the split). */
  requests: number
  /**
   * Requests served this variant outside the randomized split (`inExperiment: false`: overrides, outside
   * exposure, disabled, errors). Counted apart so that analysis and sample-ratio checks see only split units.
   */
  excluded: { requests: number; errors: number }
  /** Primary requests with `error: true` or a 5xx status. */
  errors: number
  /** Primary requests by HTTP status class; requests without a status are not counted here. */
  statusClasses: Record<StatusClass, number>
  latencyMs: QuantileSketch
  ttfbMs: QuantileSketch
  promptTokens: number
  completionTokens: number
  cost: number
  /** Primary requests served by the control upstream after this variant failed. */
  fallbacks: number
  shadow: ShadowStats
  events: Record<string, EventStats>
}

/** Per-experiment, per-variant stats of one time window (or of many, merged). */
export interface MetricsWindow {
  /** When the window opened and closed, as given to `snapshot(now)` / `take(now)` (ms since epoch, or any clock). */
  start?: number
  end?: number
  experiments: Record<string, Record<string, VariantStats>>
}

export interface MetricsRecorderOptions {
  /** When the first window opens. Later windows open when the previous one is taken. */
  start?: number
}

/** In-memory, mutable, pure (no clock, no timers). */
export interface MetricsRecorder {
  /** Adds one outcome. Never throws: invalid numbers are ignored, a `null` variant is skipped. */
  record(target: MetricsTarget, outcome?: Outcome): void
  /** A deep, JSON-serializable copy of the current window; `now` stamps its `end`. */
  snapshot(now?: number): MetricsWindow
  /** `snapshot(now)`, then reset: closes the window, and the next one starts at `now`. */
  take(now?: number): MetricsWindow
}
