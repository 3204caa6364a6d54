import type { Samples } from './samples.js'

export type { Samples }

/** Which change counts against the canary. */
export type Direction = 'increase' | 'decrease' | 'either'
/** Per-metric class, as in Kayenta. */
export type MetricClass = 'High' | 'Low' | 'Pass' | 'Nodata'
/** The summary: score >= pass threshold, >= marginal threshold, below, or no metric had data. */
export type Verdict = 'Pass' | 'Marginal' | 'Fail' | 'Nodata'

interface MetricSpecBase {
  name: string
  /** Default `either` for continuous metrics, `increase` for proportions. */
  direction?: Direction
  /** Score groups the metric belongs to (default `['default']`). */
  groups?: readonly string[]
  /** A critical metric that is not Pass forces the score to 0. */
  critical?: boolean
  /** No data for a required metric counts as a failure (it is scored as not passing). */
  required?: boolean
  /** Mean ratio canary/baseline at or above which an increase counts (default 1). */
  allowedIncrease?: number
  /** Mean ratio at or below which a decrease counts (default 1). */
  allowedDecrease?: number
  /** Mean ratio at or above which a High forces the score to 0 (default: none). */
  criticalIncrease?: number
  /** Mean ratio at or below which a Low forces the score to 0 (default: none). */
  criticalDecrease?: number
}

/** A continuous metric (latency, a business value): compared with Mann-Whitney U. */
export interface ContinuousMetricSpec extends MetricSpecBase {
  kind?: 'continuous'
  canary: Samples
  baseline: Samples
  /** Shifts smaller than this fraction of the estimate's magnitude are ignored (Kayenta's 0.25). */
  tolerance?: number
  /** `remove` NaN values (default) or `replace` them with 0. */
  nanStrategy?: 'remove' | 'replace'
  /** `keep` (default) or `remove` values beyond `outlierFactor` (default 3) interquartile ranges. */
  outliers?: 'keep' | 'remove'
  outlierFactor?: number
}

/** A rate (errors per request, conversions per user): compared with a two-proportion z-test. */
export interface ProportionMetricSpec extends MetricSpecBase {
  kind: 'proportion'
  canary: { events: number; total: number }
  baseline: { events: number; total: number }
}

export type MetricSpec = ContinuousMetricSpec | ProportionMetricSpec

export interface JudgeOptions {
  /** Confidence level of every test (default 0.98, as Kayenta). */
  confidenceLevel?: number
  /** Group name -> weight (percent). Groups without one share what is left of 100 equally. */
  groupWeights?: Readonly<Record<string, number>>
  /** Score at or above which the verdict is Pass (default 95). */
  passThreshold?: number
  /** Score at or above which the verdict is Marginal (default 75). */
  marginalThreshold?: number
}

export interface SampleSummary {
  count: number
  mean: number | null
}

export interface MetricResult {
  name: string
  kind: 'continuous' | 'proportion'
  class: MetricClass
  direction: Direction
  groups: string[]
  /** This metric forced the score to 0 (critical metric not Pass, or beyond a critical effect size). */
  criticalFailure: boolean
  canary: SampleSummary
  baseline: SampleSummary
  /** `mann-whitney` (U and z) or `two-proportion` (z). */
  test: 'mann-whitney' | 'two-proportion' | 'none'
  statistic: { u?: number; z: number; pValue: number } | null
  /** Confidence interval of the shift (canary − baseline) and its estimate (Hodges-Lehmann, or the difference of rates). */
  interval: { lower: number; upper: number; confidenceLevel: number } | null
  estimate: number | null
  /** Effect size: mean ratio canary / baseline (for proportions, the ratio of rates). */
  effectSize: number | null
  /** Values dropped as NaN or outliers. */
  removed: { nan: number; outliers: number }
  reason: string
}

export interface GroupScore {
  name: string
  weight: number
  /** Percent of scored metrics that passed; `null` when none had data. */
  score: number | null
  counts: Record<MetricClass, number>
}

export interface JudgeResult {
  /** 0..100. */
  score: number
  verdict: Verdict
  reason: string
  groups: GroupScore[]
  metrics: MetricResult[]
  /** One line per metric and one for the verdict, in words. */
  explanation: string[]
}
