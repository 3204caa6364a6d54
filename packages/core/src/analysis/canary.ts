// From a metrics window to the judge: the canary's error rate (two-proportion test) and latency
// (Mann-Whitney over the latency sketch's buckets) against the baseline's.
import { sketchBuckets } from '../metrics/sketch.js'
import { createVariantStats } from '../metrics/recorder.js'
import type { MetricsWindow, VariantStats } from '../metrics/types.js'
import { judgeCanary } from './judge.js'
import type { ContinuousMetricSpec, JudgeOptions, JudgeResult, MetricSpec, ProportionMetricSpec } from './types.js'
import { own } from '../own.js'

export type Overrides<T> = Partial<Omit<T, 'kind' | 'canary' | 'baseline'>>

export interface CanaryMetricsOptions {
  experiment: string
  canary: string
  baseline: string
  /** The error-rate metric (default: critical, direction increase, group `errors`); `false` leaves it out. */
  errorRate?: Overrides<ProportionMetricSpec> | false
  /** The latency metric (default: direction increase, group `latency`); `false` leaves it out. */
  latency?: Overrides<ContinuousMetricSpec> | false
  /** Business events compared as rates per request, e.g. `{ conversion: { direction: 'decrease' } }`. */
  events?: Readonly<Record<string, Overrides<ProportionMetricSpec>>>
  /** Further metrics of your own. */
  extra?: readonly MetricSpec[]
}

export type CanaryAnalysisOptions = CanaryMetricsOptions & JudgeOptions

const statsOf = (window: MetricsWindow, experiment: string, variant: string): VariantStats =>
  own(own(window.experiments, experiment), variant) ?? createVariantStats()

/** The error-rate metric of every canary judgement (in-process or fleet): critical, higher is worse. */
export function errorRateMetric(
  overrides: Overrides<ProportionMetricSpec> | undefined,
  canary: { readonly errors: number; readonly requests: number },
  baseline: { readonly errors: number; readonly requests: number },
): MetricSpec {
  return {
    name: 'error-rate',
    direction: 'increase',
    groups: ['errors'],
    critical: true,
    ...overrides,
    kind: 'proportion',
    canary: { events: canary.errors, total: canary.requests },
    baseline: { events: baseline.errors, total: baseline.requests },
  }
}

/** The judge's metric list for a canary and its baseline in one window. */
export function canaryMetrics(window: MetricsWindow, options: CanaryMetricsOptions): MetricSpec[] {
  const canary = statsOf(window, options.experiment, options.canary)
  const baseline = statsOf(window, options.experiment, options.baseline)
  const metrics: MetricSpec[] = []
  if (options.errorRate !== false) metrics.push(errorRateMetric(options.errorRate, canary, baseline))
  if (options.latency !== false)
    metrics.push({
      name: 'latency',
      direction: 'increase',
      groups: ['latency'],
      ...options.latency,
      kind: 'continuous',
      canary: sketchBuckets(canary.latencyMs),
      baseline: sketchBuckets(baseline.latencyMs),
    })
  for (const [name, overrides] of Object.entries(options.events ?? {}))
    metrics.push({
      name,
      direction: 'decrease',
      groups: ['events'],
      ...overrides,
      kind: 'proportion',
      canary: { events: own(canary.events, name)?.count ?? 0, total: canary.requests },
      baseline: { events: own(baseline.events, name)?.count ?? 0, total: baseline.requests },
    })
  return [...metrics, ...(options.extra ?? [])]
}

/** `judgeCanary(canaryMetrics(window, options), options)`. */
export function analyzeCanary(window: MetricsWindow, options: CanaryAnalysisOptions): JudgeResult {
  return judgeCanary(canaryMetrics(window, options), options)
}
