export { murmur3, mix32 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, toConfigInput, formatPath, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { configJsonSchema } from './config/json-schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
export { sampleRatioMismatch, SRM_THRESHOLD, SRM_MIN_EXPECTED, type SampleRatioResult } from './stats/srm.js'
export { chiSquarePValue } from './stats/chi-square.js'
export { mintOverrideToken, createWebCryptoHmac, type MintOptions, type SubtleCryptoLike } from './override-tokens.js'
export { OPERATORS } from './targeting/operators.js'
export {
  createHttpSplit,
  readRequest,
  readStickyCookie,
  stickyCookieHeader,
  formatVariantHeader,
  parseVariantHeader,
  hopByHopHeaders,
  upstreamOf,
  pickAssignment,
  createVariantHandlers,
  CONTROL_ROLE,
  DEFAULT_COOKIE_NAME,
  DEFAULT_COOKIE_MAX_AGE_SECONDS,
  DEFAULT_VARIANT_HEADER,
  MAX_USER_ID_LENGTH,
  SESSION_ID_PATTERN,
  type HttpInstrumentation,
  type HttpOutcome,
  type HttpSplit,
  type HttpSplitOptions,
  type OutcomeRecorder,
  type ReadRequest,
  type RequestSplit,
  type RequestView,
  type StickyCookieOptions,
  type CookieSignature,
  type PreparedCookie,
  type UpstreamResult,
  type VariantHandlers,
  type VariantHandlersOptions,
} from './request/index.js'
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
} from './types.js'
export {
  createMetricsRecorder,
  mergeMetrics,
  createVariantStats,
  mergeVariantStats,
  MAX_EVENT_NAMES,
  createQuantileSketch,
  addToSketch,
  mergeSketches,
  sketchQuantile,
  sketchMean,
  sketchBuckets,
  SKETCH_RELATIVE_ACCURACY,
  isFailure,
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
export {
  parseUpstream,
  rewriteUrl,
  resolveHeaders,
  costOf,
  type Upstream,
  type UpstreamValue,
  type TokenPrices,
} from './routing/upstream.js'
export { createRouter, type Route, type Router, type RouterOptions, type ProxyTarget, type UpstreamEnv } from './routing/router.js'
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type BreakerState } from './routing/breaker.js'
export { usageOf, usageOfText, withModel, createSseUsageScanner, type TokenUsage, type SseUsageScanner } from './routing/llm.js'
export { IDEMPOTENT_METHODS, SAFE_METHODS, shouldRetry, explainFallback, type Fallback, type FallbackReason } from './routing/fallback.js'
export {
  createFallbackPolicy,
  type Attempt,
  type AttemptOutcome,
  type FallbackOptions,
  type FallbackPolicy,
  type FallbackRoutes,
  type Settled,
} from './routing/fallback-policy.js'
export {
  createProxyRouting,
  withoutPrefix,
  hasRequestBody,
  forwardHeaders,
  backwardHeaders,
  DEFAULT_UPSTREAM_TIMEOUT_MS,
  type ProxyRouting,
  type ProxyRoutingOptions,
  type ProxyFallbackOptions,
  type ProxyRequest,
  type ProxyAnswer,
  type UpstreamCall,
  type UpstreamOutcome,
} from './routing/proxy.js'
export { normalCdf, normalQuantile, normalTwoSidedP, normalUpperP } from './stats/normal.js'
export { mannWhitney, type MannWhitneyResult } from './analysis/mann-whitney.js'
export { twoProportionTest, type ProportionTestResult } from './analysis/proportion.js'
export { judgeCanary, classifyMetric, scoreGroups, formatNumber, JUDGE_DEFAULTS, NODATA_THRESHOLD } from './analysis/judge.js'
export { canaryMetrics, analyzeCanary, type CanaryMetricsOptions, type CanaryAnalysisOptions } from './analysis/canary.js'
export { LATENCY_BUCKETS_SECONDS } from './metrics/buckets.js'
export {
  fleetMetrics,
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
  sliPoints,
  windowsWithin,
  DEFAULT_BURN_RATE_ALERTS,
  type BurnRateAlert,
  type SloOptions,
  type SloResult,
  type SliResult,
  type AlertResult,
  type SliPoint,
  type SliCounts,
} from './analysis/slo.js'
export type { CallInstrumentation, CallTrace, OutgoingCall } from './routing/instrumentation.js'
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
  sharesToWeights,
  type Bandit,
  type BanditOptions,
  type BanditState,
  type BanditUpdate,
  type ArmStats,
} from './bandit/thompson.js'
