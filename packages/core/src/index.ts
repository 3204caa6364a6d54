// `@splitlane/core`: what an application calls. Split with `createSplitter`, parse and check config,
// mint override tokens, record and analyse per-variant metrics, drive rollouts and bandits.
// OpenTelemetry helpers are in `@splitlane/core/otel`; the kit adapters build on is `@splitlane/core/adapter`.
export { murmur3 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, toConfigInput, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
export { sampleRatioMismatch, SRM_THRESHOLD, SRM_MIN_EXPECTED, type SampleRatioResult } from './stats/srm.js'
export { mintOverrideToken, createWebCryptoHmac, type MintOptions, type SubtleCryptoLike } from './override-tokens.js'
export { formatVariantHeader, parseVariantHeader, type HttpOutcome, type OutcomeRecorder } from './request/index.js'
export type {
  Assignment,
  AttributeCondition,
  Condition,
  ConditionValue,
  ExperimentLayerConfig,
  HmacSha256,
  HoldoutConfig,
  LayerConfig,
  Operator,
  OverrideTokenCounts,
  OverrideSource,
  OverrideTokenOptions,
  ParsedExperimentLayer,
  ParsedRule,
  RuleConfig,
  Slice,
  VerifiedOverrides,
  Attributes,
  Context,
  ErrorHandler,
  ExperimentConfig,
  JsonValue,
  CompatLayoutConfig,
  Layout,
  Mode,
  ParsedConfig,
  ParsedExperiment,
  Reason,
  SplitlaneConfig,
  Splitter,
  SplitterOptions,
  UpdateResult,
  VariantConfig,
  VariantNames,
  Register,
  RegisteredNames,
  NamesOf,
  ExperimentName,
  Assignments,
  RequestAssignments,
  HandlersByVariant,
  ByVariantOptions,
} from './types.js'
export {
  createMetricsRecorder,
  mergeMetrics,
  createVariantStats,
  createQuantileSketch,
  addToSketch,
  mergeSketches,
  sketchQuantile,
  sketchMean,
  sketchBuckets,
} from './metrics/index.js'
export type {
  Outcome,
  MetricsTarget,
  QuantileSketch,
  StatusClass,
  EventStats,
  ShadowStats,
  VariantStats,
  MetricsWindow,
  MetricsRecorder,
  MetricsRecorderOptions,
} from './metrics/types.js'
export { judgeCanary, JUDGE_DEFAULTS, NODATA_THRESHOLD } from './analysis/judge.js'
export { analyzeCanary, type CanaryMetricsOptions, type CanaryAnalysisOptions } from './analysis/canary.js'
export { LATENCY_BUCKETS_SECONDS } from './metrics/buckets.js'
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
export {
  startRollout,
  tickRollout,
  resumeRollout,
  promoteRollout,
  abortRollout,
  rolloutWeights,
  analysisDue,
  type FleetEvidence,
} from './rollout/plan.js'
export { parseRolloutPlan, safeParseRolloutPlan, rolloutPlanSchema, type SafeParseRolloutPlanResult } from './rollout/schema.js'
export { createRolloutDriver, configWithWeights, type RolloutDriver, type RolloutDriverOptions } from './rollout/driver.js'
export { MAX_HISTORY } from './rollout/types.js'
export {
  judgeAnalysisRun,
  ANALYSIS_DEFAULTS,
  type AnalysisRunInput,
  type AnalysisRunVerdict,
  type AnalysisCounts,
  type AnalysisOutcome,
  type AnalysisNext,
  type SampleRatioCheck,
} from './rollout/verdict.js'
export type {
  AnalysisStepOptions,
  RolloutStep,
  GuardrailOptions,
  RolloutPlan,
  RolloutStatus,
  RolloutEvent,
  RolloutAction,
  RolloutState,
  RolloutDecision,
  RolloutTick,
} from './rollout/types.js'
export {
  createBandit,
  assignmentProbability,
  type Bandit,
  type BanditOptions,
  type BanditState,
  type BanditUpdate,
  type ArmStats,
} from './bandit/thompson.js'
