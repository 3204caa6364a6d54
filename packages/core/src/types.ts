import type { ErrorCode, SplitlaneError } from './errors.js'

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** One arm of an experiment. */
export interface VariantConfig {
  /** Letters, digits, `.`, `_`, `-`; unique within the experiment. */
  name: string
  /** Integer 0..1,000,000, Gateway API semantics: default 1, 0 means none, the sum need not be 100. */
  weight?: number
  /** Payload handed back with the assignment: an upstream URL, a model name, any JSON. */
  value?: JsonValue
  description?: string
}

export type Mode = 'sticky' | 'random'
export type Layout = 'stable' | 'ranges' | CompatLayoutConfig

/**
 * Another system's bucketing, reproduced exactly so that users keep their variants when an
 * experiment moves to splitlane (docs/migrating.md). Weights are in that system's units.
 */
export type CompatLayoutConfig =
  /** flagd `fractional`: murmur3 of `seed + key`; `seed` defaults to the salt (the flag key). */
  | { compat: 'flagd'; seed?: string }
  /** Unleash variants and gradual rollout (`exposure`); `groupId` defaults to the salt (the flag name). */
  | { compat: 'unleash'; groupId?: string }
  /** Optimizely's bucketer: murmur3 of `key + experimentId` with seed 1; weights in 1/10,000. */
  | { compat: 'optimizely'; experimentId: string }
  /** GrowthBook hash v1 or v2 (default 1, as in its SDK); `seed` defaults to the salt (the experiment key); weights in millionths. */
  | { compat: 'growthbook'; seed?: string; hashVersion?: 1 | 2 }

export interface ExperimentConfig {
  /** Ordered arms; at least one. */
  variants: readonly VariantConfig[]
  /** The variant served on errors, outside exposure, when disabled. Default: the first variant. */
  control?: string
  /** Kill switch: `false` serves control to everyone. Default `true`. */
  enabled?: boolean
  /** Percent (0..100, up to 4 decimals) of eligible units that enter the experiment. Default 100. */
  exposure?: number
  /** `sticky` hashes the unit key (default); `random` draws per request from the random source. */
  mode?: Mode
  /** `stable` weighted rendezvous hashing (default) or contiguous `ranges`. */
  layout?: Layout
  /** Seeds the hash; experiments with different salts split independently. Default: the name. */
  salt?: string
  /** Attribute(s) to take the key from, in order of preference, instead of `context.key`. */
  bucketBy?: string | readonly string[]
  /** Unit key -> variant name, applied before hashing (QA and internal users). */
  overrides?: Readonly<Record<string, string>>
  /** Ordered targeting rules; the first that matches decides, none matching falls through to the split. */
  rules?: readonly RuleConfig[]
  /** The layer this experiment belongs to (a name from `layers`), and its slice of the layer. */
  layer?: ExperimentLayerConfig
  description?: string
}

export interface SplitlaneConfig {
  /** Editors may point this at the JSON Schema. */
  $schema?: string
  version: 1
  /** A non-empty string or a non-negative integer; shows up in every assignment and telemetry record. */
  revision?: string | number
  experiments: Readonly<Record<string, ExperimentConfig>>
  /** Named reusable conditions, referenced by rules as `{ "segment": "name" }`. */
  segments?: Readonly<Record<string, Condition>>
  /** Mutually exclusive groups of experiments, by name. */
  layers?: Readonly<Record<string, LayerConfig>>
  /** Percent of units excluded from every experiment (control, reason `holdout`). */
  holdout?: HoldoutConfig
  /** Status a fleet rollout controller writes (`splitlane rollout run`); splitters ignore it. */
  rollout?: Readonly<Record<string, unknown>>
}

/** A config after validation, with every default filled in. */
export interface ParsedExperiment {
  variants: { name: string; weight: number; value: JsonValue; description?: string }[]
  control: string
  enabled: boolean
  exposure: number
  mode: Mode
  layout: Layout
  salt: string
  bucketBy: string[]
  overrides: Record<string, string>
  rules: ParsedRule[]
  layer: ParsedExperimentLayer | null
  description?: string
}

export interface ParsedConfig {
  version: 1
  revision: string | number | null
  experiments: Record<string, ParsedExperiment>
  segments: Record<string, Condition>
  layers: Record<string, { salt: string; description?: string }>
  holdout: { percent: number; salt: string }
}

export type Attributes = Readonly<Record<string, unknown>>

/** Who is being assigned. Numbers and bigints are accepted as keys and turned into decimal text. */
export interface Context {
  key?: string | number | bigint | null
  attributes?: Attributes
  /** Variants forced by signed override tokens, as returned by `splitter.verifyOverrides`. */
  overrides?: VerifiedOverrides
}

/**
 * Why a unit got its variant. Each maps onto an OpenTelemetry `feature_flag.result.reason`
 * through `otelReason`.
 */
export type Reason =
  | 'split'
  | 'static'
  | 'override'
  | 'rule'
  | 'holdout'
  | 'outside_layer'
  | 'not_exposed'
  | 'no_key'
  | 'disabled'
  | 'error'
  | 'unknown_experiment'

/** Which step forced an assignment with reason `override`. */
export type OverrideSource = 'config' | 'token' | 'baggage'

/**
 * A plain object, typed readonly. splitlane never mutates one after returning it. (It is not
 * `Object.freeze`d: on V8 that adds a quarter or more to the cost of `assign`; see docs/benchmarks.md.)
 */
export interface Assignment<E extends string = string, V extends string = string> {
  readonly experiment: E
  /** `null` only for an experiment the config in use lacks (unknown, or removed by a live update). */
  readonly variant: V | null
  /** The variant's `value` from config (`null` when it has none). */
  readonly value: JsonValue
  readonly reason: Reason
  /** The targeting rule that decided (reason `rule`, or `not_exposed` by a rule's exposure). */
  readonly ruleId?: string
  /**
   * With reason `override`: which step of the pipeline forced the variant: `config` (the experiment's
   * `overrides`), `token` (a signed override token) or `baggage` (inherited from the caller through W3C
   * baggage). Recorded by the step itself; `explain` renders it. Undefined for every other reason.
   */
  readonly source?: OverrideSource
  /** Does this unit count for analysis (it was split, not forced, excluded or failed). */
  readonly inExperiment: boolean
  /** The unit key that was hashed (or looked up in overrides), as text. */
  readonly key: string | null
  /** Where the key came from: `key` (context.key) or the attribute named by `bucketBy`. */
  readonly keyFrom: string | null
  /** The unit's 32-bit hash for this experiment (hash spec v1), or the random draw in random mode. */
  readonly hash: number | null
  /** `hash / 2^32`: the unit's position in [0, 1). */
  readonly bucket: number | null
  readonly revision: string | number | null
  /** With reason `error` / `unknown_experiment`: the code reported to `onError`. */
  readonly errorCode?: ErrorCode
}

export type ErrorHandler = (error: SplitlaneError) => void

export interface SplitterOptions<C extends SplitlaneConfig = SplitlaneConfig> {
  /**
   * A config object (validated here), e.g. from `defineConfig` or `JSON.parse`. A config written in code types
   * the splitter's experiment and variant names (see `Splitter`); one typed `SplitlaneConfig` keeps them `string`.
   */
  config: C
  /** Receives every request-path problem; the request itself always gets an assignment. */
  onError?: ErrorHandler
  /** Called with every assignment made by `assign` and `assignAll` (not `variantOf`). */
  onAssignment?: (assignment: Assignment) => void
  /** Uniform draws in [0, 1) for experiments in `random` mode, e.g. `Math.random`. */
  random?: () => number
  /** Enables signed override tokens: the HMAC-SHA256 of the token text under your secret. */
  overrideTokens?: OverrideTokenOptions
}

export type UpdateResult = { ok: true; revision: string | number | null } | { ok: false; error: SplitlaneError }

/**
 * Experiment name -> the union of its variant names: what typed names are made of. A config known only at
 * run time has `VariantNames` itself (every name a `string`).
 */
export type VariantNames = { readonly [experiment: string]: string }

/**
 * Register a config's names for code that cannot see the config itself (a config loaded at run time, Fastify
 * route options): `declare module '@splitlane/core' { interface Register { config: typeof config } }`, or
 * generate the declaration with `splitlane types config.yaml > splitlane.d.ts` (docs/guides/typed-names.md).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The names of `Register['config']`, else `VariantNames`. */
export type RegisteredNames = Register extends { config: infer C } ? NamesIn<C> : VariantNames

type NamesIn<C> = C extends { readonly experiments: infer X }
  ? {
      -readonly [E in keyof X & string]: X[E] extends { readonly variants: readonly (infer V)[] }
        ? V extends { readonly name: infer Name extends string }
          ? Name
          : never
        : never
    }
  : VariantNames

/**
 * The experiment and variant names of a config type: literal names from a config written in code
 * (`defineConfig`), the registered names (`Register`) for a config typed only as `SplitlaneConfig` (or `any`).
 */
export type NamesOf<C> = 0 extends 1 & C // `any`, e.g. from JSON.parse
  ? RegisteredNames
  : C extends { readonly experiments: infer X }
    ? string extends keyof X
      ? RegisteredNames
      : NamesIn<C>
    : RegisteredNames

/** An experiment name of `N`. */
export type ExperimentName<N extends VariantNames> = keyof N & string

/** One assignment per experiment, by name, as `assignAll` returns them and adapters store them per request. */
export type Assignments<N extends VariantNames = VariantNames> = { [E in ExperimentName<N>]: Assignment<E, N[E]> }

/**
 * The assignments an adapter keeps per request (`req.splitlane`, `request.splitlane`, `assignmentsOf`): typed by
 * the registered config (a route may assign only some experiments), else by name.
 */
export type RequestAssignments = Register extends { config: unknown }
  ? Readonly<Partial<Assignments<RegisteredNames>>>
  : Readonly<Record<string, Assignment>>

/** `byVariant`'s handler map: one handler `H` per variant name of experiment `E` (or `control`), each optional. */
export type HandlersByVariant<N extends VariantNames, E extends ExperimentName<N>, H> = Readonly<Partial<Record<N[E] | 'control', H>>>

/** `byVariant`'s options: the splitter whose names type the handler map, and the experiment to route by. */
export interface ByVariantOptions<N extends VariantNames = VariantNames, E extends ExperimentName<N> = ExperimentName<N>> {
  /** The splitter the middleware uses: the handler names are checked against its config when the route is built. */
  splitter: Splitter<N>
  /** The experiment to route by; required when the config has more than one. */
  experiment?: E
}

/**
 * A splitter over a config with names `N`. From a config written in code, `assign('chekout')` and
 * `variant === 'canry'` are compile errors; with the default `VariantNames` every name is a `string`.
 */
export interface Splitter<N extends VariantNames = VariantNames> {
  /** The variant for one experiment, with its evidence. Never throws. */
  assign<E extends ExperimentName<N>>(experiment: E, context?: Context): Assignment<E, N[E]>
  /** Only the variant name: the allocation-free fast path. Hashes `key` as given. Never throws. */
  variantOf<E extends ExperimentName<N>>(experiment: E, key: string | number | bigint | null | undefined): N[E] | null
  /** Every experiment of the config (a null-prototype record, in config order), hashing the key once. Never throws. */
  assignAll(context?: Context): Assignments<N>
  /** Why the assignment came out as it did, in words. Pass the context to learn why rules did not match. */
  explain(assignment: Assignment, context?: Context): string
  /** Atomically swaps the config; an invalid config keeps the current one and returns the error. */
  update(config: SplitlaneConfig): UpdateResult
  /** The config in use, with defaults filled in. */
  readonly config: ParsedConfig
  readonly revision: string | number | null
  /**
   * Verifies the override tokens of one request (a header, query or cookie value; several may be
   * separated by commas or spaces) at time `now` (epoch ms). Bad tokens are ignored and reported to
   * `onError`. Synchronous when `overrideTokens.sign` is; pass the result as `context.overrides`.
   */
  verifyOverrides(tokens: string | null | undefined, now: number): VerifiedOverrides | Promise<VerifiedOverrides>
  /** How many override tokens were accepted and rejected (by error code) since creation. */
  readonly overrideTokenCounts: OverrideTokenCounts
}

/** What `createSplitter`'s body builds: a `Splitter` before its names are typed (internal; users see `Splitter<N>`). */
export type UntypedSplitter = Omit<Splitter, 'assign' | 'variantOf' | 'assignAll'> & {
  assign(experiment: string, context?: Context): Assignment
  variantOf(experiment: string, key: string | number | bigint | null | undefined): string | null
  assignAll(context?: Context): Record<string, Assignment>
}

// ---- targeting, layers, holdout, override tokens ----

export type { Operator, ConditionValue } from './targeting/operators.js'
import type { Operator, ConditionValue } from './targeting/operators.js'

/** `{ attribute: 'plan', op: 'in', values: ['beta'] }`; see docs/guides/targeting.md for every operator. */
export interface AttributeCondition {
  attribute: string
  op: Operator
  /** What to compare against; the attribute matches when it matches any of them. Not used by `exists`. */
  values?: readonly ConditionValue[]
  /** String operators only: compare ignoring case. */
  caseInsensitive?: boolean
  /** Inverts the operator on a present, readable attribute (a missing one still does not match). */
  negate?: boolean
}

export type Condition =
  AttributeCondition | { all: readonly Condition[] } | { any: readonly Condition[] } | { not: Condition } | { segment: string }

interface RuleBase {
  /** Unique within the experiment; shows up as `ruleId` in assignments. */
  id: string
  when: Condition
  description?: string
}

/** `variant` pins a variant, `weights` applies its own split, `exposure` limits who enters. */
export type RuleConfig =
  (RuleBase & { variant: string }) | (RuleBase & { weights: Readonly<Record<string, number>> }) | (RuleBase & { exposure: number })

export interface ParsedRule {
  id: string
  when: Condition
  variant?: string
  weights?: Record<string, number>
  exposure?: number
  description?: string
}

/** `[start, end)` in percent of the layer, up to 4 decimals. */
export type Slice = readonly [number, number]

export type ExperimentLayerConfig = string | { name: string; slice?: Slice | readonly Slice[] }

export interface ParsedExperimentLayer {
  name: string
  slices: [number, number][]
}

export interface LayerConfig {
  /** Seeds the layer's hash; default: the layer name. */
  salt?: string
  description?: string
}

export type HoldoutConfig = number | { percent: number; salt?: string }

/** Variants forced for one request by verified override tokens. Only `verifyOverrides` makes one. */
export interface VerifiedOverrides {
  /** Experiment -> variant. */
  readonly variants: Readonly<Record<string, string>>
  /** Experiment -> expiry (epoch ms) of the token that forced it. */
  readonly expiresAt: Readonly<Record<string, number>>
  /**
   * Experiment -> variant decided upstream and carried in W3C baggage (adapters with `honourBaggage`
   * only). The pipeline honours it after tokens and before the holdout; a variant the config lacks is ignored.
   */
  readonly inherited?: Readonly<Record<string, string>>
}

/** The HMAC-SHA256 of `message` under your secret: Node's createHmac (sync) or WebCrypto (async). */
export type HmacSha256 = (message: string) => Uint8Array | ArrayBuffer | Promise<Uint8Array | ArrayBuffer>

export interface OverrideTokenOptions {
  sign: HmacSha256
}

export interface OverrideTokenCounts {
  readonly accepted: number
  readonly rejected: number
  readonly rejectedByCode: Readonly<Partial<Record<ErrorCode, number>>>
}
