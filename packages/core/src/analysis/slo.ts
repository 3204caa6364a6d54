// SLO guardrails: per-variant SLIs (availability; latency under a threshold), the error budget, and
// multiwindow, multi-burn-rate alerts as in the Google SRE workbook (chapter 5): an alert fires when
// both its long and its short window burn the budget faster than its factor.
import { mergeMetrics } from '../metrics/recorder.js'
import { sketchBuckets } from '../metrics/sketch.js'
import type { MetricsWindow, VariantStats } from '../metrics/types.js'
import { formatNumber } from './judge.js'
import { own } from '../own.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

export interface BurnRateAlert {
  longWindowMs: number
  shortWindowMs: number
  /** Burn rate (multiple of the sustainable rate) at or above which both windows must be. */
  factor: number
  /** `page` or `ticket`; informational. */
  severity?: string
}

/** 1 h / 5 m at 14.4 (2% of a 30-day budget in an hour), 6 h / 30 m at 6 (5%), 3 d / 6 h at 1 (10%). */
export const DEFAULT_BURN_RATE_ALERTS: readonly BurnRateAlert[] = [
  { longWindowMs: HOUR, shortWindowMs: 5 * MINUTE, factor: 14.4, severity: 'page' },
  { longWindowMs: 6 * HOUR, shortWindowMs: 30 * MINUTE, factor: 6, severity: 'page' },
  { longWindowMs: 72 * HOUR, shortWindowMs: 6 * HOUR, factor: 1, severity: 'ticket' },
]

export interface SloOptions {
  experiment: string
  variant: string
  /** Availability objective, e.g. 0.999: the share of requests without error. */
  availability?: number
  /** Latency objective: the share of requests at or under `thresholdMs` (from the latency sketch, within its 1%). */
  latency?: { thresholdMs: number; objective: number }
  alerts?: readonly BurnRateAlert[]
  /** The error budget's period (default 30 days). */
  budgetPeriodMs?: number
  /** A window with fewer requests than this never fires (default 10): one error in one request is not a trend. */
  minRequests?: number
}

export interface SliCounts {
  good: number
  total: number
}

export interface AlertResult extends BurnRateAlert {
  sli: 'availability' | 'latency'
  longBurnRate: number
  shortBurnRate: number
  longRequests: number
  shortRequests: number
  firing: boolean
}

export interface SliResult {
  sli: 'availability' | 'latency'
  objective: number
  /** Over the budget period. */
  good: number
  total: number
  /** 1 − bad / allowed bad, over the budget period; negative when overspent. */
  budgetRemaining: number
}

export interface SloResult {
  breached: boolean
  slis: SliResult[]
  alerts: AlertResult[]
  explanation: string[]
}

/** One variant's SLI counts over one window: all the guardrails need, far smaller than the window. */
export interface SliPoint {
  /** The window's end. */
  end: number
  availability: SliCounts
  /** Requests with a latency, and those at or under the latency objective's threshold. */
  latency: SliCounts
}

/** The SLI counts of `options.variant` in each timestamped window (windows without `end` are skipped). */
export function sliPoints(windows: readonly MetricsWindow[], options: Pick<SloOptions, 'experiment' | 'variant' | 'latency'>): SliPoint[] {
  const points: SliPoint[] = []
  for (const window of windows) {
    if (window.end === undefined) continue
    const stats: VariantStats | undefined = own(own(window.experiments, options.experiment), options.variant)
    let good = 0
    if (stats !== undefined && options.latency !== undefined)
      for (const bucket of sketchBuckets(stats.latencyMs)) if (bucket.value <= options.latency.thresholdMs) good += bucket.count
    points.push({
      end: window.end,
      availability: { good: stats === undefined ? 0 : stats.requests - stats.errors, total: stats?.requests ?? 0 },
      latency: { good, total: stats?.latencyMs.count ?? 0 },
    })
  }
  return points
}

/** Windows whose `end` lies in (now − span, now], merged (windows without `end` are ignored). */
export function windowsWithin(windows: readonly MetricsWindow[], now: number, span: number): MetricsWindow {
  return mergeMetrics(...windows.filter((window) => window.end !== undefined && window.end > now - span && window.end <= now))
}

/** Evaluates a variant's SLOs over timestamped windows at `now`. */
export function evaluateSlo(windows: readonly MetricsWindow[], now: number, options: SloOptions): SloResult {
  return evaluateSliPoints(sliPoints(windows, options), now, options)
}

/** `evaluateSlo` over SLI counts already extracted with `sliPoints` (what a rollout keeps). */
export function evaluateSliPoints(points: readonly SliPoint[], now: number, options: SloOptions): SloResult {
  const alerts = options.alerts ?? DEFAULT_BURN_RATE_ALERTS
  const minRequests = options.minRequests ?? 10
  const objectives: { sli: 'availability' | 'latency'; objective: number; thresholdMs: number }[] = []
  if (options.availability !== undefined) objectives.push({ sli: 'availability', objective: options.availability, thresholdMs: 0 })
  if (options.latency !== undefined) objectives.push({ sli: 'latency', ...options.latency })
  const within = (sli: 'availability' | 'latency', span: number): SliCounts => {
    const counts = { good: 0, total: 0 }
    for (const point of points)
      if (point.end > now - span && point.end <= now) {
        counts.good += point[sli].good
        counts.total += point[sli].total
      }
    return counts
  }
  const results: AlertResult[] = []
  const slis: SliResult[] = []
  const explanation: string[] = []
  for (const { sli, objective, thresholdMs } of objectives) {
    const budget = 1 - objective
    const burn = (counts: SliCounts) => (counts.total === 0 || budget <= 0 ? 0 : (counts.total - counts.good) / counts.total / budget)
    const period = within(sli, options.budgetPeriodMs ?? 30 * 24 * HOUR)
    const allowed = budget * period.total
    const budgetRemaining =
      period.total === 0 ? 1 : allowed === 0 ? (period.good === period.total ? 1 : -Infinity) : 1 - (period.total - period.good) / allowed
    slis.push({ sli, objective, good: period.good, total: period.total, budgetRemaining })
    for (const alert of alerts) {
      const long = within(sli, alert.longWindowMs)
      const short = within(sli, alert.shortWindowMs)
      const longBurnRate = burn(long)
      const shortBurnRate = burn(short)
      const firing =
        long.total >= minRequests && short.total >= minRequests && longBurnRate >= alert.factor && shortBurnRate >= alert.factor
      results.push({ ...alert, sli, longBurnRate, shortBurnRate, longRequests: long.total, shortRequests: short.total, firing })
      if (firing)
        explanation.push(
          `${options.variant} ${sli}${sli === 'latency' ? ` (<= ${thresholdMs} ms)` : ''} burns its ${formatNumber(objective * 100)}% objective's budget at ${formatNumber(longBurnRate)}x over ${duration(alert.longWindowMs)} and ${formatNumber(shortBurnRate)}x over ${duration(alert.shortWindowMs)} (>= ${alert.factor}x)`,
        )
    }
    explanation.push(
      `${options.variant} ${sli}: ${period.good}/${period.total} good, ${formatNumber(budgetRemaining * 100)}% of the error budget left`,
    )
  }
  return { breached: results.some((alert) => alert.firing), slis, alerts: results, explanation }
}

/** 90 m, 6 h, 3 d. */
export function duration(ms: number): string {
  if (ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)} d`
  if (ms % HOUR === 0) return `${ms / HOUR} h`
  if (ms % MINUTE === 0) return `${ms / MINUTE} m`
  return `${formatNumber(ms / 1000)} s`
}
