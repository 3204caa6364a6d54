// `@splitlane/core/analysis`: judging a canary or an experiment from per-variant metrics (the canary
// judge, fleet windows, SLO burn rates, the sample-ratio check). Its own entry so that an app which
// only splits does not bundle the statistics.
export { sampleRatioMismatch, SRM_THRESHOLD, SRM_MIN_EXPECTED, type SampleRatioResult } from './stats/srm.js'
export { judgeCanary, JUDGE_DEFAULTS, NODATA_THRESHOLD } from './analysis/judge.js'
export { analyzeCanary, type CanaryMetricsOptions, type CanaryAnalysisOptions } from './analysis/canary.js'
export {
  judgeFleetWindow,
  fleetRevisionCheck,
  type FleetWindow,
  type FleetVariantWindow,
  type FleetJudgeOptions,
  type SeriesPoint,
  type ServedRevision,
} from './analysis/fleet.js'
export type {
  Samples,
  Direction,
  MetricClass,
  Verdict,
  ContinuousMetricSpec,
  ProportionMetricSpec,
  MetricSpec,
  JudgeOptions,
  SampleSummary,
  MetricResult,
  GroupScore,
  JudgeResult,
} from './analysis/types.js'
export {
  evaluateSlo,
  evaluateSliPoints,
  DEFAULT_BURN_RATE_ALERTS,
  type BurnRateAlert,
  type SloOptions,
  type SloResult,
  type SliResult,
  type AlertResult,
  type SliPoint,
  type SliCounts,
} from './analysis/slo.js'
