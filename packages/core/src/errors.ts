/** Stable error codes; each is listed in docs/reference/errors.md with its causes and fixes. */
export const ErrorCode = {
  /** The config failed validation; `issues` lists every problem with its path. */
  ConfigInvalid: 'SPLITLANE_ERR_CONFIG_INVALID',
  /** `createSplitter` was given options it cannot use. */
  OptionsInvalid: 'SPLITLANE_ERR_OPTIONS_INVALID',
  /** An adapter's sticky cookie is signed (the default) but has no secret: set `SPLITLANE_COOKIE_SECRET` or `cookie.secret`. */
  CookieSecretMissing: 'SPLITLANE_ERR_COOKIE_SECRET_MISSING',
  /** Request path: the context is not an object like `{ key, attributes }`. */
  ContextInvalid: 'SPLITLANE_ERR_CONTEXT_INVALID',
  /** Request path: the key is not a string, a finite number or a bigint. */
  KeyInvalid: 'SPLITLANE_ERR_KEY_INVALID',
  /** Request path: the experiment is not in the config. */
  ExperimentUnknown: 'SPLITLANE_ERR_EXPERIMENT_UNKNOWN',
  /** Request path: the injected random source threw or returned a number outside [0, 1). */
  RandomInvalid: 'SPLITLANE_ERR_RANDOM_INVALID',
  /** Request path: the `onAssignment` callback threw. */
  CallbackFailed: 'SPLITLANE_ERR_CALLBACK_FAILED',
  /** Request path: an upstream header names an environment variable that is not set (or the runtime refuses to read it); the call or proxied request goes to control. */
  UpstreamEnvMissing: 'SPLITLANE_ERR_UPSTREAM_ENV_MISSING',
  /** Request path: an unexpected failure inside splitlane (a bug: please report it). */
  Internal: 'SPLITLANE_ERR_INTERNAL',
  /** A config source could not fetch or read its document (network, HTTP status, file system). */
  SourceUnavailable: 'SPLITLANE_ERR_SOURCE_UNAVAILABLE',
  /** A config source's exchange (headers and body) took longer than its `timeoutMs`. */
  SourceTimeout: 'SPLITLANE_ERR_SOURCE_TIMEOUT',
  /** A config document is larger than the source's `maxBytes` (declared or while reading). */
  SourceTooLarge: 'SPLITLANE_ERR_SOURCE_TOO_LARGE',
  /** Override token: not a splitlane token (unsigned, truncated, wrong format). */
  OverrideTokenMalformed: 'SPLITLANE_ERR_OVERRIDE_TOKEN_MALFORMED',
  /** Override token: the signature does not match (tampered, other secret, or no signer configured). */
  OverrideTokenSignature: 'SPLITLANE_ERR_OVERRIDE_TOKEN_SIGNATURE',
  /** Override token: past its expiry. */
  OverrideTokenExpired: 'SPLITLANE_ERR_OVERRIDE_TOKEN_EXPIRED',
  /** Override token: names an experiment or variant that the config in use does not have. */
  OverrideTokenUnknown: 'SPLITLANE_ERR_OVERRIDE_TOKEN_UNKNOWN',
  /** Adapters: a request carried a bad sticky cookie or user-id header, or reading the request threw. */
  RequestInvalid: 'SPLITLANE_ERR_REQUEST_INVALID',
  /** Adapters: your `getKey`, `getAttributes` or `randomId` threw or returned something unusable. */
  GetterFailed: 'SPLITLANE_ERR_GETTER_FAILED',
  /** A rollout plan failed validation (`parseRolloutPlan`); `issues` lists every problem with its path. */
  PlanInvalid: 'SPLITLANE_ERR_PLAN_INVALID',
  /** A variant's value (or `upstreams` entry) is not a usable upstream; the call or proxied request goes to control; answered 502 when control has no usable http(s) URL either. */
  UpstreamInvalid: 'SPLITLANE_ERR_UPSTREAM_INVALID',
  /** Proxy mode: the variant's upstream sent nothing for `timeoutMs` (default 30 s); answered 504, or the client connection closed mid-answer. */
  UpstreamTimeout: 'SPLITLANE_ERR_UPSTREAM_TIMEOUT',
  /** Proxy mode: the variant's upstream refused the connection, reset it or could not be reached; answered 502 (or retried on control). */
  UpstreamFailed: 'SPLITLANE_ERR_UPSTREAM_FAILED',
  /** @splitlane/prometheus: the server could not be reached, answered 5xx, or took longer than `timeoutMs`, after every retry. */
  PrometheusUnreachable: 'SPLITLANE_ERR_PROMETHEUS_UNREACHABLE',
  /** @splitlane/prometheus: Prometheus rejected a query (bad PromQL, 400/422) or answered something that is not its API's JSON. */
  PrometheusQueryFailed: 'SPLITLANE_ERR_PROMETHEUS_QUERY_FAILED',
  /** @splitlane/prometheus: a query a window needs returned no series: no data, so nothing can be judged (inconclusive, never a pass). */
  PrometheusNoData: 'SPLITLANE_ERR_PROMETHEUS_NO_DATA',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface ErrorDetails {
  experiment?: string
}

/** The one error class family of splitlane. `code` is stable; `message` says what to do. */
export class SplitlaneError extends Error {
  readonly code: ErrorCode
  readonly experiment: string | undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; experiment?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SplitlaneError'
    this.code = code
    this.experiment = options?.experiment
  }
}

/** One problem found in a config: where (`experiments.checkout.variants[1].weight`) and what. */
export interface ConfigIssue {
  readonly path: string
  readonly message: string
  /**
   * What went wrong, for programs: zod's issue code (`invalid_type`, `too_small`, `invalid_value`,
   * `unrecognized_keys`, ...) or, for core's own checks, the check's name (`duplicate_variant`,
   * `unknown_variant`, `unknown_control`, `all_weights_zero`, `duplicate_rule_id`, `no_positive_weight`,
   * `unknown_segment`, `segment_cycle`, `unknown_layer`, `layer_not_sticky`, `layer_bucket_by_differs`,
   * `slice_overlap`, `condition_form`, `field_misplaced`, `operator_missing`, `case_insensitive_not_string`,
   * `exists_takes_no_values`, `values_missing`, `value_unreadable`, `rule_action`, `compat_not_sticky`,
   * `compat_exposure`, `compat_weight_sum`). Select on it and `params`, never on `message`'s English.
   */
  readonly code?: string
  /** zod's parameters of the issue (`expected`, `minimum`, `maximum`, `values`, ...); for `unrecognized_keys`, `key` and `suggestion`; for core's checks, the names and numbers involved (e.g. `unknown_variant`: `variant`, `variants`). */
  readonly params?: Readonly<Record<string, unknown>>
}

/**
 * Thrown by `parseConfig` and `createSplitter`; returned by `safeParseConfig` and `update`. Also used,
 * with code `SPLITLANE_ERR_PLAN_INVALID`, by `parseRolloutPlan` for a bad rollout plan.
 */
export class SplitlaneConfigError extends SplitlaneError {
  readonly issues: readonly ConfigIssue[]

  constructor(issues: readonly ConfigIssue[], kind: 'config' | 'plan' = 'config') {
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`)
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    const [code, what] = kind === 'plan' ? [ErrorCode.PlanInvalid, 'rollout plan'] : [ErrorCode.ConfigInvalid, 'splitlane config']
    super(code, `Invalid ${what} (${count}):\n${lines.join('\n')}`)
    this.name = 'SplitlaneConfigError'
    this.issues = issues
  }
}
