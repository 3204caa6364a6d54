// Thompson sampling over an experiment's variants. Each arm's chance of being best is estimated by
// drawing from every arm's posterior many times; those chances, floored so that every arm keeps
// being explored, become the weights of a `random`-mode experiment. Randomness is injected.
import { formatNumber } from '../analysis/judge.js'
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { MetricsWindow } from '../metrics/types.js'
import type { Assignment, ParsedConfig } from '../types.js'
import { own } from '../own.js'

export interface BanditOptions {
  experiment: string
  /** The variants to choose between. */
  arms: readonly string[]
  /** The business event that is the reward (recorded in `Outcome.events`). */
  event: string
  /**
   * `conversion` (default): each request converts or not; Beta(1 + conversions, 1 + misses) posteriors.
   * `continuous`: the reward is the event's value per request, scaled into [0, 1] by you (e.g. revenue
   * / cap; values outside are clamped per window), 0 when absent. The posterior is Beta(1 + Σr, 1 + n − Σr):
   * Agrawal and Goyal's extension of Beta-Bernoulli to bounded rewards (they draw a Bernoulli(r) per
   * reward; using r itself keeps the mean and adds less noise). It needs only each window's sum and count.
   */
  reward?: 'conversion' | 'continuous'
  /** Uniform draws in [0, 1); a seeded source makes a run reproducible. */
  random: () => number
  /** Least probability each arm keeps (default 0.05 / arms). */
  explorationFloor?: number
  /** Requests every arm needs before the weights adapt (default 100); until then the split is equal. */
  burnIn?: number
  /** Least time between weight updates (default 60 s). */
  updateEveryMs?: number
  /** Posterior draws per update (default 2000). */
  draws?: number
}

export interface ArmStats {
  requests: number
  /** Conversions (events counted), or the sum of the reward. */
  rewardSum: number
}

export interface BanditState {
  arms: Record<string, ArmStats>
  /** Assignment probability of each arm, summing to 1. */
  probabilities: Record<string, number>
  lastUpdateAt: number | null
  updates: number
}

export interface BanditUpdate {
  updated: boolean
  /** Integers summing to 1,000,000, for the experiment's variants. */
  weights: Record<string, number>
  probabilities: Record<string, number>
  explanation: string[]
}

export interface Bandit {
  /** Adds a metrics window's requests and rewards. */
  observe(window: MetricsWindow): void
  /** Recomputes the weights if `updateEveryMs` has passed since the last update (and the burn-in is done). */
  update(now: number): BanditUpdate
  /** Each arm's current assignment probability. */
  probabilities(): Record<string, number>
  /** The assignment with the probability it had under the current weights (for offline evaluation). */
  attach<T extends Assignment>(assignment: T): T & { probability: number | undefined }
  readonly state: BanditState
}

/** P(variant) of an assignment made by `split` under a config's weights; `undefined` when it was not randomized. */
export function assignmentProbability(config: ParsedConfig, assignment: Assignment): number | undefined {
  if (assignment.reason !== 'split' || assignment.variant === null) return undefined
  const variants = own(config.experiments, assignment.experiment)?.variants
  if (variants === undefined) return undefined
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0)
  const weight = variants.find((variant) => variant.name === assignment.variant)?.weight ?? 0
  return total > 0 ? weight / total : undefined
}

/** Shares summing to 1 as integer weights summing to 1,000,000 (largest remainder). */
export function sharesToWeights(shares: Readonly<Record<string, number>>): Record<string, number> {
  const names = Object.keys(shares)
  const raw = names.map((name) => shares[name]! * 1_000_000)
  const weights = raw.map(Math.floor)
  let left = 1_000_000 - weights.reduce((sum, weight) => sum + weight, 0)
  const order = names.map((_, i) => i).sort((a, b) => raw[b]! - weights[b]! - (raw[a]! - weights[a]!))
  for (const index of order) {
    if (left <= 0) break
    weights[index]!++
    left--
  }
  return Object.fromEntries(names.map((name, i) => [name, weights[i]!]))
}

function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through the boost Gamma(a + 1)·U^(1/a). */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = standardNormal(random)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = 1 - random()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random)
  return x / (x + gamma(b, random))
}

export function createBandit(options: BanditOptions): Bandit {
  const { arms, random } = options
  const given: unknown = arms
  if (!Array.isArray(given) || given.length === 0 || typeof random !== 'function')
    throw new SplitlaneError(
      ErrorCode.OptionsInvalid,
      'createBandit needs `arms` (a non-empty list of variant names) and a `random` source, e.g. Math.random',
    )
  const floor = Math.min(options.explorationFloor ?? 0.05 / arms.length, 1 / arms.length)
  const burnIn = options.burnIn ?? 100
  const every = options.updateEveryMs ?? 60_000
  const draws = options.draws ?? 2000
  const continuous = options.reward === 'continuous'
  const equal = Object.fromEntries(arms.map((arm) => [arm, 1 / arms.length]))
  const state: BanditState = {
    arms: Object.fromEntries(arms.map((arm) => [arm, { requests: 0, rewardSum: 0 }])),
    probabilities: { ...equal },
    lastUpdateAt: null,
    updates: 0,
  }

  const sample = (stats: ArmStats): number => beta(1 + stats.rewardSum, 1 + stats.requests - stats.rewardSum, random)

  const describe = () =>
    arms.map((arm) => {
      const stats = state.arms[arm]!
      const rate = stats.requests > 0 ? stats.rewardSum / stats.requests : null
      return `${arm}: ${stats.requests} requests, ${continuous ? 'mean reward' : 'conversion rate'} ${formatNumber(rate)}, weight ${formatNumber(state.probabilities[arm]! * 100)}%`
    })

  return {
    observe(window) {
      const variants = own(window.experiments, options.experiment)
      for (const arm of arms) {
        const stats = own(variants, arm)
        if (stats === undefined) continue
        const event = own(stats.events, options.event)
        const totals = state.arms[arm]!
        totals.requests += stats.requests
        const reward = continuous ? (event?.sum ?? 0) : (event?.count ?? 0)
        totals.rewardSum += Math.min(Math.max(reward, 0), stats.requests)
      }
    },
    update(now) {
      const explanation: string[] = []
      let updated = false
      const burnedIn = arms.every((arm) => state.arms[arm]!.requests >= burnIn)
      if (!burnedIn) explanation.push(`burn-in: every arm needs ${burnIn} requests before the weights adapt; the split stays equal`)
      else if (state.lastUpdateAt !== null && now - state.lastUpdateAt < every)
        explanation.push(`next update in ${formatNumber((every - (now - state.lastUpdateAt)) / 1000)} s`)
      else {
        const wins = new Map(arms.map((arm) => [arm, 0]))
        for (let draw = 0; draw < draws; draw++) {
          let best = arms[0]!
          let bestValue = -Infinity
          for (const arm of arms) {
            const value = sample(state.arms[arm]!)
            if (value > bestValue) [best, bestValue] = [arm, value]
          }
          wins.set(best, wins.get(best)! + 1)
        }
        for (const arm of arms) state.probabilities[arm] = floor + (1 - arms.length * floor) * (wins.get(arm)! / draws)
        state.lastUpdateAt = now
        state.updates++
        updated = true
        explanation.push(`Thompson sampling over ${draws} posterior draws, exploration floor ${formatNumber(floor * 100)}% per arm`)
      }
      return {
        updated,
        weights: sharesToWeights(state.probabilities),
        probabilities: { ...state.probabilities },
        explanation: [...explanation, ...describe()],
      }
    },
    probabilities: () => ({ ...state.probabilities }),
    attach(assignment) {
      const probability =
        assignment.reason === 'split' && assignment.variant !== null ? own(state.probabilities, assignment.variant) : undefined
      return { ...assignment, probability }
    },
    get state() {
      return state
    },
  }
}
