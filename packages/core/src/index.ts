export { murmur3, mix32 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, formatPath, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { configJsonSchema } from './config/json-schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
export { sampleRatioMismatch, SRM_THRESHOLD, type SampleRatioResult } from './stats/srm.js'
export { chiSquarePValue } from './stats/chi-square.js'
export { mintOverrideToken, createWebCryptoHmac, type MintOptions, type SubtleCryptoLike } from './override-tokens.js'
export { OPERATORS } from './targeting/operators.js'
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
