export { murmur3, mix32 } from './murmur3.js'
export { createSplitter } from './splitter.js'
export { parseConfig, safeParseConfig, defineConfig, formatPath, type SafeParseResult } from './config/parse.js'
export { configSchema, NAME_PATTERN, MAX_WEIGHT, MAX_VARIANTS } from './config/schema.js'
export { configJsonSchema } from './config/json-schema.js'
export { SplitlaneError, SplitlaneConfigError, ErrorCode, type ConfigIssue } from './errors.js'
export { otelReason, type OtelReason } from './reasons.js'
export { sampleRatioMismatch, SRM_THRESHOLD, type SampleRatioResult } from './stats/srm.js'
export { chiSquarePValue } from './stats/chi-square.js'
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
  type UpstreamResult,
} from './request/index.js'
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
