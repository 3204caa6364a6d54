import type { CanaryMetricsOptions } from '../analysis/canary.js'
import type { FleetJudgeOptions } from '../analysis/fleet.js'
import type { BurnRateAlert, SliPoint } from '../analysis/slo.js'
import type { JudgeOptions, JudgeResult } from '../analysis/types.js'
import type { MetricsWindow } from '../metrics/types.js'

export interface AnalysisStepOptions {
  /** How often the analysis runs while the step lasts (default 60 s); each run covers the time since the last. */
  intervalMs?: number
  /** Runs needed to pass the step (default 1). */
  count?: number
  /** Canary requests a run needs; with fewer it waits (default 100). */
  minRequests?: number
  /** Failed runs tolerated; one more rolls back (default 0). */
  failureLimit?: number
  /** Inconclusive runs (Marginal, Nodata, sample ratio mismatch) tolerated; one more pauses for a human (default 1). */
  inconclusiveLimit?: number
  /** Check the split's sample ratio against the applied weights (default true). */
  srm?: boolean
  /** Judge settings and metric overrides (see `analyzeCanary`; `series` for fleet windows, see `judgeFleetWindow`). */
  judge?: Omit<CanaryMetricsOptions, 'experiment' | 'canary' | 'baseline'> & Pick<FleetJudgeOptions, 'series'> & JudgeOptions
}

export type RolloutStep =
  /** Canary share in percent (0..100). */
  | { setWeight: number }
  /** Wait `durationMs`, or with no duration until `resume()` or `promote()`. */
  | { pause: { durationMs?: number } }
  | { analysis: AnalysisStepOptions }

export interface GuardrailOptions {
  /** Availability objective of the canary, e.g. 0.999. */
  availability?: number
  latency?: { thresholdMs: number; objective: number }
  alerts?: readonly BurnRateAlert[]
  minRequests?: number
}

export interface RolloutPlan {
  experiment: string
  /** The variant being rolled out, and the one it replaces. */
  canary: string
  baseline: string
  steps: readonly RolloutStep[]
  /** Upper bound on how fast the canary's weight may rise, in percentage points per minute (default: no bound). */
  maxWeightChangePerMinute?: number
  /** SLO guardrails checked on every tick; a breach rolls back at once. */
  guardrails?: GuardrailOptions
  /** Metrics are kept in buckets of this size for the guardrails (default 60 s). */
  bucketMs?: number
}

export type RolloutStatus = 'progressing' | 'paused' | 'promoted' | 'rolled-back'

export interface RolloutEvent {
  at: number
  step: number
  action: RolloutAction
  message: string
}

/** `history` keeps the most recent this many events (and always the first). */
export const MAX_HISTORY = 500

export type RolloutAction = 'start' | 'set-weight' | 'wait' | 'pause' | 'resume' | 'analysis' | 'rollback' | 'promote'

/** Everything a rollout needs to continue: plain JSON, safe to persist between processes. */
export interface RolloutState {
  status: RolloutStatus
  /** Index of the current step (`steps.length` once every step is done). */
  step: number
  /** Canary share in percent, as applied. */
  canaryWeight: number
  startedAt: number
  stepStartedAt: number
  weightChangedAt: number
  analysis: { runs: number; passed: number; failures: number; inconclusive: number; lastRunAt: number }
  /** Canary and baseline metrics since the current step began (for analysis runs). */
  pending: MetricsWindow | null
  /** The canary's SLI counts per `bucketMs`, kept for the longest guardrail window. */
  sli: SliPoint[]
  reason: string | null
  history: RolloutEvent[]
}

export interface RolloutDecision {
  action: RolloutAction | 'none'
  /** One line per thing that happened on this tick, each with its reason. */
  explanation: string[]
  judge?: JudgeResult
}

export interface RolloutTick {
  state: RolloutState
  /** Weights for the experiment's variants (integers summing to 1,000,000, as the config takes). */
  weights: Record<string, number>
  /** Did the weights change on this tick. */
  changed: boolean
  decision: RolloutDecision
}
