// `@splitlane/core`: what an application calls. Split with `createSplitter`, parse and check config,
// mint override tokens, record per-variant metrics. What only some apps need has its own entry, so
// the rest do not bundle it: `@splitlane/core/analysis` (canary judge, SLO, sample-ratio check),
// `@splitlane/core/rollout` (rollout plans), `@splitlane/core/bandit`, `@splitlane/core/json-schema`,
// `@splitlane/core/otel` (OpenTelemetry), `@splitlane/core/adapter` (the kit adapters build on).
export { murmur3 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, toConfigInput, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
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
export { LATENCY_BUCKETS_SECONDS } from './metrics/buckets.js'
