// Fleet windows: what the whole fleet's metrics store (Prometheus) says about each variant over one
// analysis window, judged as Kayenta judges its metric sources. Each metric is a time series per
// variant (one point per step: error ratio, p99 latency, ...) and the canary's points are compared
// with the baseline's by Mann-Whitney; error and request counts are summed over the window for the
// proportion test and the sample ratio check. Pure: the I/O lives in @splitlane/prometheus.
import { errorRateMetric, type Overrides } from './canary.js'
import { judgeCanary } from './judge.js'
import type { ContinuousMetricSpec, JudgeOptions, JudgeResult, MetricSpec, ProportionMetricSpec } from './types.js'
import { own } from '../own.js'

/** One point of a time series: `t` in ms since the epoch, `value` (NaN when the step had no data, e.g. 0/0). */
export interface SeriesPoint {
  t: number
  value: number
}

/** One variant over one fleet window. */
export interface FleetVariantWindow {
  /** Requests served by the whole fleet over the window (summed over steps and instances). */
  requests: number
  /** Of those, errors (5xx, thrown, timed out). */
  errors: number
  /** Metric name -> one point per step, e.g. `error-ratio`, `latency-p99` (seconds). */
  series: Readonly<Record<string, readonly SeriesPoint[]>>
}

/** A config revision the fleet served during the window, and which instances served it. */
export interface ServedRevision {
  revision: string
  /** Instance labels (Prometheus `instance`) that served requests under this revision in the window. */
  instances: string[]
}

/** One experiment's per-variant metrics over `[start, end]`, every `stepMs`. Plain JSON. */
export interface FleetWindow {
  experiment: string
  start: number
  end: number
  stepMs: number
  /** Variant name -> its window (own properties only are read). */
  variants: Readonly<Record<string, FleetVariantWindow>>
  /** Revisions served with traffic during the window (from the metrics' revision label), if read. */
  revisions?: readonly ServedRevision[]
}

export interface FleetJudgeOptions {
  experiment?: string
  canary: string
  baseline: string
  /** The summed error counts' proportion test (default: critical, direction increase, group `errors`); `false` leaves it out. */
  errorRate?: Overrides<ProportionMetricSpec> | false
  /**
   * Per series name: overrides of its Mann-Whitney metric, or `false` to leave it out. Defaults:
   * direction `increase`; group `errors` when the name contains `error`, `latency` when it contains
   * `latency`, else the name itself.
   */
  series?: Readonly<Record<string, Overrides<ContinuousMetricSpec> | false>>
}

const values = (points: readonly SeriesPoint[] | undefined) => (points ?? []).map((point) => point.value)

/** A series metric's defaults: higher is worse; grouped with errors or latency by its name. */
function seriesDefaults(name: string): Overrides<ContinuousMetricSpec> {
  return { direction: 'increase', groups: [name.includes('error') ? 'errors' : name.includes('latency') ? 'latency' : name] }
}

const EMPTY: FleetVariantWindow = { requests: 0, errors: 0, series: {} }

/** The judge's metric list for a canary and its baseline in one fleet window. */
export function fleetMetrics(window: FleetWindow, options: FleetJudgeOptions): MetricSpec[] {
  const canary = own(window.variants, options.canary) ?? EMPTY
  const baseline = own(window.variants, options.baseline) ?? EMPTY
  const metrics: MetricSpec[] = []
  // Counts from Prometheus are increase() estimates: whole numbers for the proportion test.
  const whole = (variant: FleetVariantWindow) => ({ errors: Math.round(variant.errors), requests: Math.round(variant.requests) })
  if (options.errorRate !== false) metrics.push(errorRateMetric(options.errorRate, whole(canary), whole(baseline)))
  const names = new Set([...Object.keys(canary.series), ...Object.keys(baseline.series)])
  for (const name of [...names].sort()) {
    const overrides = own(options.series ?? {}, name)
    if (overrides === false) continue
    metrics.push({
      name,
      ...seriesDefaults(name),
      ...overrides,
      kind: 'continuous',
      canary: values(own(canary.series, name)),
      baseline: values(own(baseline.series, name)),
    })
  }
  return metrics
}

/** `judgeCanary(fleetMetrics(window, options), options)`: the same judge as in-process windows. */
export function judgeFleetWindow(window: FleetWindow, options: FleetJudgeOptions & JudgeOptions): JudgeResult {
  return judgeCanary(fleetMetrics(window, options), options)
}

/** Whether every instance with traffic in the window served `expected`; else which served what. */
export function fleetRevisionCheck(window: FleetWindow, expected: string): { current: boolean; reason: string } {
  const revisions = window.revisions
  if (revisions === undefined) return { current: true, reason: 'revisions not read' }
  const stale = revisions.filter((served) => served.revision !== expected)
  if (revisions.length === 0) return { current: false, reason: `no instance reported a revision (expected ${expected})` }
  if (stale.length === 0) return { current: true, reason: `every instance serves revision ${expected}` }
  const lagging = stale.map((served) => `${served.revision} (${served.instances.join(', ') || 'unknown instance'})`).join('; ')
  return { current: false, reason: `instances still serve other revisions than ${expected}: ${lagging}` }
}
