// Connects a rollout plan to a live splitter and metrics recorder: on traffic, at most once per
// `minIntervalMs` of the `now` it is given, it closes the metrics window, ticks the plan and applies
// the weights with `splitter.update`. No timer: adapters call `onTraffic(now)` per request.
import type { MetricsRecorder } from '../metrics/types.js'
import { toConfigInput } from '../config/parse.js'
import type { SplitlaneConfig, Splitter, UpdateResult } from '../types.js'
import { abortRollout, promoteRollout, resumeRollout, startRollout, tickRollout } from './plan.js'
import type { RolloutPlan, RolloutState, RolloutTick } from './types.js'
import { own } from '../own.js'

export interface RolloutDriverOptions {
  splitter: Splitter
  recorder: MetricsRecorder
  plan: RolloutPlan
  /** Time of creation (the rollout starts then unless `state` is given). */
  now: number
  /** A persisted state to continue from. */
  state?: RolloutState
  /** Ticks at most this often (default 1000 ms). */
  minIntervalMs?: number
  /** Called with every tick's result, e.g. to log the explanation or persist the state. */
  onTick?: (tick: RolloutTick, update: UpdateResult | undefined) => void
}

export interface RolloutDriver {
  /** Ticks when `minIntervalMs` has passed since the last tick; otherwise does nothing and returns undefined. */
  onTraffic(now: number): RolloutTick | undefined
  /** Ticks now. */
  tick(now: number): RolloutTick
  resume(now: number): RolloutTick
  promote(now: number, reason?: string): RolloutTick
  abort(now: number, reason?: string): RolloutTick
  readonly state: RolloutState
}

/** The splitter's config with the experiment's weights replaced (variants not named keep theirs). */
export function configWithWeights(splitter: Splitter, experiment: string, weights: Readonly<Record<string, number>>): SplitlaneConfig {
  const config = splitter.config
  const target = own(config.experiments, experiment)
  if (target === undefined) return toConfigInput(config)
  const variants = target.variants.map((variant) => ({ ...variant, weight: own(weights, variant.name) ?? variant.weight }))
  return toConfigInput({ ...config, experiments: { ...config.experiments, [experiment]: { ...target, variants } } })
}

export function createRolloutDriver(options: RolloutDriverOptions): RolloutDriver {
  const { splitter, recorder, plan } = options
  const minIntervalMs = options.minIntervalMs ?? 1000
  let state = options.state ?? startRollout(plan, options.now)
  let lastTick = -Infinity
  recorder.take(options.now)

  const apply = (result: RolloutTick): RolloutTick => {
    state = result.state
    const current = own(splitter.config.experiments, plan.experiment)
    const stale = current?.variants.some(
      (variant) => own(result.weights, variant.name) !== undefined && own(result.weights, variant.name) !== variant.weight,
    )
    const update = stale ? splitter.update(configWithWeights(splitter, plan.experiment, result.weights)) : undefined
    if (update !== undefined && !update.ok) result.decision.explanation.push(`weights not applied: ${update.error.message}`)
    try {
      options.onTick?.(result, update)
    } catch {
      // a throwing log callback must not fail the request that ticked
    }
    return result
  }

  const tick = (now: number) => {
    lastTick = now
    return apply(tickRollout(plan, state, now, recorder.take(now)))
  }

  return {
    onTraffic: (now) => (now - lastTick >= minIntervalMs ? tick(now) : undefined),
    tick,
    resume: (now) => apply(resumeRollout(plan, state, now)),
    promote: (now, reason) => apply(promoteRollout(plan, state, now, reason)),
    abort: (now, reason) => apply(abortRollout(plan, state, now, reason)),
    get state() {
      return state
    },
  }
}
