export { murmur3, mix32 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, formatPath, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { configJsonSchema } from './config/json-schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
export { sampleRatioMismatch, SRM_THRESHOLD, type SampleRatioResult } from './stats/srm.js'
export { chiSquarePValue } from './stats/chi-square.js'
export type {
  Assignment,
  Attributes,
  Context,
  ErrorHandler,
  ExperimentConfig,
  JsonValue,
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
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type BreakerState } from './routing/breaker.js'
export { usageOf, usageOfText, withModel, createSseUsageScanner, type TokenUsage, type SseUsageScanner } from './routing/llm.js'
export { IDEMPOTENT_METHODS, SAFE_METHODS, shouldRetry, explainFallback, type Fallback, type FallbackReason } from './routing/fallback.js'
