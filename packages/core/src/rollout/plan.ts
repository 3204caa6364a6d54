// Rollout plans in the manner of Argo Rollouts: setWeight, pause and analysis steps, failure and
// inconclusive limits, a bound on how fast the canary's weight rises, SLO guardrails on every tick.
// Pure: `now` and the metrics come in, the next state, the weights and the decision go out.
import type { FleetWindow } from '../analysis/fleet.js'
import { formatNumber } from '../analysis/judge.js'
import { duration, evaluateSliPoints, sliPoints, DEFAULT_BURN_RATE_ALERTS } from '../analysis/slo.js'
import { mergeMetrics } from '../metrics/recorder.js'
import type { MetricsWindow } from '../metrics/types.js'
import { ANALYSIS_DEFAULTS, judgeAnalysisRun } from './verdict.js'
import { MAX_HISTORY, type RolloutAction, type RolloutDecision, type RolloutPlan, type RolloutState, type RolloutTick } from './types.js'
import { own } from '../own.js'

const TOTAL_WEIGHT = 1_000_000

const roundWeight = (percent: number) => Math.round(Math.min(100, Math.max(0, percent)) * 10_000) / 10_000

/** The experiment's weights for a canary share in percent: integers summing to 1,000,000. */
export function rolloutWeights(plan: RolloutPlan, canaryPercent: number): Record<string, number> {
  const canary = Math.round(roundWeight(canaryPercent) * 10_000)
  return { [plan.baseline]: TOTAL_WEIGHT - canary, [plan.canary]: canary }
}

/** A new rollout at weight 0, before its first step. */
export function startRollout(plan: RolloutPlan, now: number): RolloutState {
  return {
    status: 'progressing',
    step: 0,
    canaryWeight: 0,
    startedAt: now,
    stepStartedAt: now,
    weightChangedAt: now,
    analysis: { runs: 0, passed: 0, failures: 0, inconclusive: 0, lastRunAt: now },
    pending: null,
    sli: [],
    reason: null,
    history: [{ at: now, step: 0, action: 'start', message: `rollout of ${plan.canary} over ${plan.baseline} started` }],
  }
}

/** Only this rollout's two variants, so persisted state stays small. */
function onlyRollout(plan: RolloutPlan, window: MetricsWindow, now: number): MetricsWindow {
  const variants = own(window.experiments, plan.experiment)
  const kept: MetricsWindow['experiments'][string] = {}
  for (const name of [plan.canary, plan.baseline]) {
    const stats = own(variants, name)
    if (stats !== undefined) kept[name] = stats
  }
  return {
    ...(window.start === undefined ? {} : { start: window.start }),
    end: window.end ?? now,
    experiments: { [plan.experiment]: kept },
  }
}

function retention(plan: RolloutPlan): number {
  const alerts = plan.guardrails?.alerts ?? DEFAULT_BURN_RATE_ALERTS
  return Math.max(0, ...alerts.map((alert) => alert.longWindowMs))
}

function ingest(plan: RolloutPlan, state: RolloutState, windows: readonly MetricsWindow[], now: number): void {
  const bucketMs = plan.bucketMs ?? 60_000
  for (const raw of windows) {
    const window = onlyRollout(plan, raw, now)
    state.pending = state.pending === null ? window : mergeMetrics(state.pending, window)
    const guardrails = plan.guardrails
    if (guardrails === undefined) continue
    const end = Math.ceil(window.end! / bucketMs) * bucketMs
    const [point] = sliPoints([window], { experiment: plan.experiment, variant: plan.canary, latency: guardrails.latency })
    const last = state.sli[state.sli.length - 1]
    if (last !== undefined && last.end === end)
      state.sli[state.sli.length - 1] = {
        end,
        availability: add(last.availability, point!.availability),
        latency: add(last.latency, point!.latency),
      }
    else state.sli.push({ ...point!, end })
  }
  const oldest = now - retention(plan) - bucketMs
  state.sli = state.sli.filter((point) => point.end > oldest)
}

const add = (a: { good: number; total: number }, b: { good: number; total: number }) => ({
  good: a.good + b.good,
  total: a.total + b.total,
})

/**
 * What a fleet controller read for an analysis run instead of in-process windows: the fleet's window
 * since the last run (see `analysisDue`) and the revision every instance should serve, or why the
 * window could not be read (then the run is inconclusive and the plan's limit decides).
 */
export interface FleetEvidence {
  fleet?: FleetWindow
  expectedRevision?: string
  missing?: string
}

interface Context {
  plan: RolloutPlan
  state: RolloutState
  now: number
  evidence?: FleetEvidence
  explanation: string[]
  action: RolloutAction | 'none'
  decision: Partial<RolloutDecision>
}

function log(context: Context, action: RolloutAction, message: string): void {
  const { history } = context.state
  history.push({ at: context.now, step: context.state.step, action, message })
  if (history.length > MAX_HISTORY) history.splice(1, history.length - MAX_HISTORY)
  context.explanation.push(message)
  context.action = action
}

function advance(context: Context): void {
  const { state, now } = context
  state.step++
  state.stepStartedAt = now
  state.analysis = { runs: 0, passed: 0, failures: 0, inconclusive: 0, lastRunAt: now }
}

function setWeight(context: Context, weight: number, why: string): void {
  const { state, now } = context
  const from = state.canaryWeight
  state.canaryWeight = roundWeight(weight)
  state.weightChangedAt = now
  state.pending = null
  log(context, 'set-weight', `canary weight ${formatNumber(from)}% -> ${formatNumber(state.canaryWeight)}%: ${why}`)
}

function rollback(context: Context, reason: string): void {
  const { state } = context
  state.canaryWeight = 0
  state.weightChangedAt = context.now
  state.status = 'rolled-back'
  state.reason = reason
  state.pending = null
  log(context, 'rollback', `rolled back: canary weight 0%: ${reason}`)
}

function promote(context: Context, reason: string): void {
  const { state } = context
  state.canaryWeight = 100
  state.weightChangedAt = context.now
  state.status = 'promoted'
  state.reason = reason
  state.step = context.plan.steps.length
  log(context, 'promote', `promoted: canary weight 100%: ${reason}`)
}

/** Moves the canary's weight towards `percent` within the rate bound; true once it is there. */
function approach(context: Context, percent: number, label: string, announce = true): boolean {
  const { plan, state, now } = context
  const target = roundWeight(percent)
  if (target === state.canaryWeight) return true
  const rate = plan.maxWeightChangePerMinute
  const allowed = target < state.canaryWeight || rate === undefined ? Infinity : (rate * (now - state.weightChangedAt)) / 60_000
  const next = roundWeight(target < state.canaryWeight ? target : Math.min(target, state.canaryWeight + allowed))
  if (next === state.canaryWeight) {
    context.explanation.push(
      `${label}: holding ${formatNumber(state.canaryWeight)}% on the way to ${formatNumber(target)}%: at most ${formatNumber(rate)} points per minute`,
    )
    if (context.action === 'none') context.action = 'wait'
    return false
  }
  if (next === target && !announce) return true
  const why =
    next === target
      ? `${label} setWeight ${formatNumber(target)}`
      : `${label} towards ${formatNumber(target)}%, at most ${formatNumber(rate)} points per minute`
  setWeight(context, next, why)
  return next === target
}

/** Runs steps until one has to wait. */
function run(context: Context): void {
  const { plan, state, now } = context
  for (let guard = 0; guard <= plan.steps.length + 1; guard++) {
    if (state.status !== 'progressing') return
    const step = plan.steps[state.step]
    if (step === undefined) {
      // The last move to 100% obeys the rate bound too; promote() by hand does not.
      if (approach(context, 100, 'after the last step', false)) promote(context, 'every step completed')
      return
    }
    const label = `step ${state.step + 1}/${plan.steps.length}`
    if ('setWeight' in step) {
      if (!approach(context, step.setWeight, label)) return
      advance(context)
      continue
    }
    if ('pause' in step) {
      const wait = step.pause.durationMs
      if (wait === undefined) {
        state.status = 'paused'
        state.reason = `${label}: paused until resume() or promote()`
        log(context, 'pause', state.reason)
        return
      }
      if (now - state.stepStartedAt < wait) {
        context.explanation.push(`${label}: pausing ${duration(wait)}, ${formatNumber((wait - (now - state.stepStartedAt)) / 1000)} s left`)
        if (context.action === 'none') context.action = 'wait'
        return
      }
      log(context, 'resume', `${label}: pause of ${duration(wait)} over`)
      advance(context)
      continue
    }
    const intervalMs = step.analysis.intervalMs ?? ANALYSIS_DEFAULTS.intervalMs
    if (now - state.analysis.lastRunAt < intervalMs) {
      context.explanation.push(`${label}: next analysis in ${formatNumber((intervalMs - (now - state.analysis.lastRunAt)) / 1000)} s`)
      if (context.action === 'none') context.action = 'wait'
      return
    }
    const { evidence } = context
    const verdict = judgeAnalysisRun({
      experiment: plan.experiment,
      canary: plan.canary,
      baseline: plan.baseline,
      ...(evidence === undefined
        ? { window: state.pending ?? { experiments: {} } }
        : evidence.missing !== undefined || evidence.fleet === undefined
          ? { missing: evidence.missing ?? 'the fleet window was not read' }
          : { fleet: evidence.fleet, expectedRevision: evidence.expectedRevision }),
      canaryWeight: state.canaryWeight,
      analysis: step.analysis,
      counts: state.analysis,
    })
    if (verdict.outcome === 'waiting') {
      context.explanation.push(`${label}: ${verdict.reason}`)
      if (context.action === 'none') context.action = 'wait'
      return
    }
    if (verdict.judge !== null) context.decision.judge = verdict.judge
    state.analysis = { ...verdict.counts, runs: state.analysis.runs + 1, lastRunAt: now }
    state.pending = null
    log(context, 'analysis', `${label}: analysis run ${state.analysis.runs} ${verdict.outcome}: ${verdict.reason}`)
    context.explanation.push(...(verdict.judge?.explanation ?? []).map((line) => `  ${line}`))
    if (verdict.next === 'rollback') return rollback(context, `${label}: ${verdict.nextReason}: ${verdict.reason}`)
    if (verdict.next === 'pause') {
      state.status = 'paused'
      state.reason = `${label}: ${verdict.nextReason}: a human decides (resume(), promote() or abort())`
      log(context, 'pause', state.reason)
      return
    }
    if (verdict.next === 'continue') return
    advance(context)
  }
}

function finish(context: Context, before: number): RolloutTick {
  const { plan, state } = context
  return {
    state,
    weights: rolloutWeights(plan, state.canaryWeight),
    changed: state.canaryWeight !== before,
    decision: { ...context.decision, action: context.action, explanation: context.explanation },
  }
}

/** The parts a tick changes are copied; windows and SLI points are never modified in place, so they are shared. */
const copy = (state: RolloutState): RolloutState => ({
  ...state,
  analysis: { ...state.analysis },
  sli: [...state.sli],
  history: [...state.history],
})

/**
 * Advances the rollout to `now` with the metrics observed since the last tick (one window or several,
 * e.g. `recorder.take(now)`). Returns the next state, the weights to apply and the decision with its
 * explanation. The input state is not modified.
 */
export function tickRollout(
  plan: RolloutPlan,
  previous: RolloutState,
  now: number,
  metrics: MetricsWindow | readonly MetricsWindow[] = [],
  /** Fleet mode: analysis steps judge this instead of `metrics` (see `analysisDue`). */
  evidence?: FleetEvidence,
): RolloutTick {
  const state = copy(previous)
  const context: Context = { plan, state, now, explanation: [], action: 'none', decision: {}, ...(evidence ? { evidence } : {}) }
  const before = state.canaryWeight
  if (state.status === 'promoted' || state.status === 'rolled-back') {
    context.explanation.push(`${state.status}: ${state.reason ?? ''}`)
    return finish(context, before)
  }
  ingest(plan, state, Array.isArray(metrics) ? metrics : [metrics as MetricsWindow], now)
  if (plan.guardrails !== undefined && state.canaryWeight > 0) {
    const slo = evaluateSliPoints(state.sli, now, { ...plan.guardrails, experiment: plan.experiment, variant: plan.canary })
    if (slo.breached) {
      rollback(context, `SLO guardrail breached: ${slo.explanation.filter((line) => line.includes('burns')).join('; ')}`)
      return finish(context, before)
    }
  }
  if (state.status === 'paused') {
    context.explanation.push(`paused: ${state.reason ?? ''}`)
    return finish(context, before)
  }
  run(context)
  return finish(context, before)
}

/**
 * Whether the next tick at `now` runs an analysis, and over which window (`[start, end]`, the time
 * since the step's last run): a fleet controller reads that window from its metrics store first.
 */
export function analysisDue(plan: RolloutPlan, state: RolloutState, now: number): { start: number; end: number; step: number } | null {
  if (state.status !== 'progressing') return null
  const step = plan.steps[state.step]
  if (step === undefined || !('analysis' in step)) return null
  const intervalMs = step.analysis.intervalMs ?? ANALYSIS_DEFAULTS.intervalMs
  return now - state.analysis.lastRunAt < intervalMs ? null : { start: state.analysis.lastRunAt, end: now, step: state.step }
}

/** Ends a pause (an indefinite pause step, or one for inconclusive analysis) and continues with the next step. */
export function resumeRollout(plan: RolloutPlan, previous: RolloutState, now: number): RolloutTick {
  const state = copy(previous)
  const context: Context = { plan, state, now, explanation: [], action: 'none', decision: {} }
  const before = state.canaryWeight
  if (state.status !== 'paused') {
    context.explanation.push(`not paused (${state.status}): nothing to resume`)
    return finish(context, before)
  }
  state.status = 'progressing'
  state.reason = null
  log(context, 'resume', `step ${state.step + 1}/${plan.steps.length}: resumed by hand`)
  advance(context)
  run(context)
  return finish(context, before)
}

/** Goes to 100% at once (the blue/green switch), skipping the remaining steps. */
export function promoteRollout(plan: RolloutPlan, previous: RolloutState, now: number, reason = 'promoted by hand'): RolloutTick {
  const state = copy(previous)
  const context: Context = { plan, state, now, explanation: [], action: 'none', decision: {} }
  const before = state.canaryWeight
  if (state.status === 'rolled-back') context.explanation.push(`rolled back: ${state.reason ?? ''}; start a new rollout to try again`)
  else if (state.status !== 'promoted') promote(context, reason)
  return finish(context, before)
}

/** Rolls back at once: canary weight 0, with the reason recorded. */
export function abortRollout(plan: RolloutPlan, previous: RolloutState, now: number, reason = 'aborted by hand'): RolloutTick {
  const state = copy(previous)
  const context: Context = { plan, state, now, explanation: [], action: 'none', decision: {} }
  const before = state.canaryWeight
  if (state.status === 'promoted' || state.status === 'rolled-back') context.explanation.push(`already ${state.status}`)
  else rollback(context, reason)
  return finish(context, before)
}
