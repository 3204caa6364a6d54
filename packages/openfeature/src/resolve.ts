import {
  ErrorCode,
  StandardResolutionReasons,
  type EvaluationContext,
  type FlagMetadata,
  type FlagValueType,
  type JsonValue,
  type ResolutionDetails,
  type ResolutionReason,
} from '@openfeature/core'
import type { Assignment, JsonValue as SplitlaneJson, ParsedConfig, Reason, Splitter } from '@splitlane/core'

const { SPLIT, STATIC, TARGETING_MATCH, DEFAULT, DISABLED, ERROR } = StandardResolutionReasons

/** splitlane's reasons onto OpenFeature's (docs/guides/openfeature.md has the table). `no_key` and the errors are decided in `resolveFlag`. */
const REASONS: Readonly<Record<Exclude<Reason, 'no_key' | 'error' | 'unknown_experiment'>, ResolutionReason>> = {
  split: SPLIT,
  static: STATIC,
  override: TARGETING_MATCH,
  rule: TARGETING_MATCH,
  holdout: DEFAULT,
  outside_layer: DEFAULT,
  not_exposed: DEFAULT,
  disabled: DISABLED,
}

/** The evaluation context as splitlane's: `targetingKey` is the key, every other field an attribute. */
export function contextOf(context: EvaluationContext | undefined) {
  if (context === undefined || context === null) return {}
  // Object rest copies own fields only, as own properties (a field named `__proto__` stays a plain name).
  const { targetingKey, ...attributes } = context
  return { key: typeof targetingKey === 'string' && targetingKey !== '' ? targetingKey : undefined, attributes }
}

/**
 * The variant an experiment serves to a unit without a key, if its answer does not depend on the key: one
 * variant holds all the weight, every unit is exposed, and no holdout or layer hashes the key first.
 */
function keylessVariant(config: ParsedConfig, experiment: string) {
  const parsed = Object.hasOwn(config.experiments, experiment) ? config.experiments[experiment]! : undefined
  if (parsed === undefined || parsed.exposure !== 100 || parsed.layer !== null || config.holdout.percent > 0) return undefined
  const weighted = parsed.variants.filter((variant) => variant.weight > 0)
  return weighted.length === 1 ? { variant: weighted[0]!, hasRules: parsed.rules.length > 0 } : undefined
}

const hasRules = (config: ParsedConfig, experiment: string): boolean =>
  Object.hasOwn(config.experiments, experiment) && config.experiments[experiment]!.rules.length > 0

function matchesType(value: SplitlaneJson, type: FlagValueType): boolean {
  if (type === 'object') return typeof value === 'object' && value !== null
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value)
  return typeof value === type
}

/** The evidence of an assignment, as OpenFeature flag metadata (only the fields that have a value). */
export function metadataOf(assignment: Assignment): FlagMetadata {
  const metadata: FlagMetadata = { splitlaneReason: assignment.reason, inExperiment: assignment.inExperiment }
  if (assignment.keyFrom !== null) metadata.keyFrom = assignment.keyFrom
  if (assignment.hash !== null) metadata.hash = assignment.hash
  if (assignment.bucket !== null) metadata.bucket = assignment.bucket
  if (assignment.revision !== null) metadata.revision = assignment.revision
  if (assignment.ruleId !== undefined) metadata.ruleId = assignment.ruleId
  if (assignment.source !== undefined) metadata.overrideSource = assignment.source
  return metadata
}

function failed<T>(defaultValue: T, errorCode: ErrorCode, errorMessage: string, flagMetadata?: FlagMetadata): ResolutionDetails<T> {
  return { value: defaultValue, reason: ERROR, errorCode, errorMessage, ...(flagMetadata ? { flagMetadata } : {}) }
}

/**
 * One flag evaluation: the experiment's assignment as OpenFeature resolution details. Never throws: errors are
 * answered with the default value, reason `ERROR` and an error code, as the specification asks.
 */
export function resolveFlag<T extends JsonValue>(
  splitter: Splitter,
  flagKey: string,
  type: FlagValueType,
  defaultValue: T,
  context: EvaluationContext | undefined,
  onAssignment?: (assignment: Assignment) => void,
): ResolutionDetails<T> {
  const assignment = splitter.assign(flagKey, contextOf(context))
  const flagMetadata = metadataOf(assignment)
  let value: SplitlaneJson = assignment.value
  let variant = assignment.variant
  let reason: ResolutionReason
  switch (assignment.reason) {
    case 'unknown_experiment':
      return failed(
        defaultValue,
        ErrorCode.FLAG_NOT_FOUND,
        `no experiment named "${flagKey}" in splitlane config revision ${String(assignment.revision)}`,
      )
    case 'error': {
      const code = assignment.errorCode === 'SPLITLANE_ERR_CONTEXT_INVALID' ? ErrorCode.INVALID_CONTEXT : ErrorCode.GENERAL
      return failed(defaultValue, code, `splitlane could not evaluate "${flagKey}" (${assignment.errorCode ?? 'error'})`, flagMetadata)
    }
    case 'no_key': {
      const keyless = keylessVariant(splitter.config, flagKey)
      if (keyless === undefined) {
        const message = `experiment "${flagKey}" splits by key: set targetingKey (or an attribute its bucketBy names)`
        return failed(defaultValue, ErrorCode.TARGETING_KEY_MISSING, message, flagMetadata)
      }
      ;({ value, name: variant } = keyless.variant)
      reason = keyless.hasRules ? DEFAULT : STATIC
      break
    }
    default:
      // Static with targeting rules that did not match falls back to the default variant, as flagd reports it.
      reason = assignment.reason === 'static' && hasRules(splitter.config, flagKey) ? DEFAULT : REASONS[assignment.reason]
  }
  // A variant without a value answers string evaluations with its name (`getStringValue('checkout', 'stable')`).
  if (value === null && type === 'string' && variant !== null) value = variant
  if (!matchesType(value, type)) {
    const message = `experiment "${flagKey}" variant "${String(variant)}" has a ${value === null ? 'null' : typeof value} value, not a ${type}`
    return failed(defaultValue, ErrorCode.TYPE_MISMATCH, message, flagMetadata)
  }
  onAssignment?.(assignment)
  return { value: value as T, variant: variant ?? undefined, reason, flagMetadata }
}
