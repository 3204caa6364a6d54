// OpenTelemetry semantic conventions for feature flags (incubating, semconv 1.3x), copied here
// rather than depending on @opentelemetry/semantic-conventions' unstable `incubating` entry.
// https://opentelemetry.io/docs/specs/semconv/feature-flags/

/** The span event recorded for every evaluation. */
export const EVENT_FEATURE_FLAG_EVALUATION = 'feature_flag.evaluation'
/** The flag's lookup key: the experiment name. */
export const ATTR_FEATURE_FLAG_KEY = 'feature_flag.key'
/** Who evaluated: always `splitlane`. */
export const ATTR_FEATURE_FLAG_PROVIDER_NAME = 'feature_flag.provider.name'
/** The variant's name. */
export const ATTR_FEATURE_FLAG_RESULT_VARIANT = 'feature_flag.result.variant'
/** Why: `static`, `targeting_match`, `split`, `default`, `disabled`, `error` (see `otelReason`). */
export const ATTR_FEATURE_FLAG_RESULT_REASON = 'feature_flag.result.reason'
/** The evaluated value (the variant's `value`). */
export const ATTR_FEATURE_FLAG_RESULT_VALUE = 'feature_flag.result.value'
/** The version of the ruleset: the config `revision`. */
export const ATTR_FEATURE_FLAG_VERSION = 'feature_flag.version'
/** The targeting key: the unit key. Personal data, recorded only when you opt in. */
export const ATTR_FEATURE_FLAG_CONTEXT_ID = 'feature_flag.context.id'
/** A class of error: with reason `error`, splitlane's error code. */
export const ATTR_ERROR_TYPE = 'error.type'
/** The HTTP status of the response. */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code'

export const PROVIDER_NAME = 'splitlane'

/** splitlane's own instruments. */
export const METRIC_REQUESTS = 'splitlane.requests'
export const METRIC_REQUEST_DURATION = 'splitlane.request.duration'
/** Time to first byte (a proxy: the upstream's response headers; an LLM call: the first chunk of its body), seconds. */
export const METRIC_REQUEST_TIME_TO_FIRST_BYTE = 'splitlane.request.time_to_first_byte'
/** LLM tokens from the response's `usage`, by `gen_ai.token.type` (`input` or `output`). */
export const METRIC_LLM_TOKENS = 'splitlane.llm.tokens'
/** LLM cost from the tokens and the upstream's `prices`, in the currency those prices are written in. */
export const METRIC_LLM_COST = 'splitlane.llm.cost'
/** OpenTelemetry's GenAI convention for which tokens are counted: `input` (prompt) or `output` (completion). */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type'
/** Baggage entries are `splitlane.<experiment>=<variant>`. */
export const BAGGAGE_PREFIX = 'splitlane.'

/** The HTTP method of an outgoing call. */
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method'
/** Marks a mirrored (shadow) call on its span and its metrics. */
export const ATTR_SPLITLANE_SHADOW = 'splitlane.shadow'
/** Names why a call was served by control (`network_error`, `circuit_open`, ...). */
export const ATTR_SPLITLANE_FALLBACK = 'splitlane.fallback'
