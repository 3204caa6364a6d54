import {
  TWO_POW_32,
  chooseVariant,
  compileConfig,
  isExposed,
  isHeldOut,
  isInLayerSlice,
  unitHashOf,
  variantIndexOf,
  type CompiledConfig,
  type CompiledExperiment,
} from './bucketing.js'
import { safeParseConfig } from './config/parse.js'
import { INVALID_KEY, keyError, keyFromAttributes, normalizeKey, readContext, type ReadContext } from './context.js'
import { describeValue } from './describe.js'
import { ErrorCode, SplitlaneError } from './errors.js'
import { explainAssignment } from './explain.js'
import { hashText } from './murmur3.js'
import { verifyOverrideTokens, type VerifyResult } from './override-tokens.js'
import { AttributeReadError, matches } from './targeting/conditions.js'
import type {
  Assignment,
  ErrorHandler,
  OverrideSource,
  OverrideTokenCounts,
  NamesOf,
  Reason,
  SplitlaneConfig,
  Splitter,
  SplitterOptions,
  UntypedSplitter,
  UpdateResult,
  VerifiedOverrides,
} from './types.js'

function validateOptions(options: unknown): asserts options is SplitterOptions {
  const fail = (message: string) => {
    throw new SplitlaneError(ErrorCode.OptionsInvalid, `createSplitter: ${message}`)
  }
  if (typeof options !== 'object' || options === null) fail('expected an options object like { config }')
  const { onError, onAssignment, random, overrideTokens } = options as Record<string, unknown>
  if (onError !== undefined && typeof onError !== 'function') fail('onError must be a function')
  if (onAssignment !== undefined && typeof onAssignment !== 'function') fail('onAssignment must be a function')
  if (random !== undefined && typeof random !== 'function') fail('random must be a function returning [0, 1)')
  const sign: unknown = typeof overrideTokens === 'object' && overrideTokens !== null ? Reflect.get(overrideTokens, 'sign') : undefined
  if (overrideTokens !== undefined && typeof sign !== 'function')
    fail('overrideTokens.sign must be a function returning the HMAC-SHA256 of its message under your secret')
}

function compileOrError(config: unknown, random: (() => number) | undefined): CompiledConfig | SplitlaneError {
  const parsed = safeParseConfig(config)
  if (!parsed.success) return parsed.error
  const compiled = compileConfig(parsed.data)
  if (compiled.usesRandom && random === undefined) {
    const names = compiled.list.filter((experiment) => experiment.random).map((experiment) => experiment.name)
    return new SplitlaneError(
      ErrorCode.OptionsInvalid,
      `experiments ${names.join(', ')} use mode "random" but no random source was given: pass createSplitter({ random: Math.random })`,
    )
  }
  return compiled
}

/** What the pipeline decided for one experiment, by name: every assignment is built from one. */
interface Decided {
  index: number
  reason: Reason
  inExperiment: boolean
  key: string | null
  keyFrom: string | null
  /** The unit hash; absent when none decided (forced, control before hashing). */
  hash?: number
  errorCode?: ErrorCode
  ruleId?: string
  source?: OverrideSource
}

/** Every assignment is built here, so all share one shape. */
function assignmentOf(experiment: CompiledExperiment, revision: string | number | null, decided: Decided): Assignment {
  const hash = decided.hash
  return {
    experiment: experiment.name,
    variant: experiment.names[decided.index]!,
    value: experiment.values[decided.index]!,
    reason: decided.reason,
    ruleId: decided.ruleId,
    source: decided.source,
    inExperiment: decided.inExperiment,
    key: decided.key,
    keyFrom: decided.keyFrom,
    hash: hash === undefined ? null : hash >>> 0,
    bucket: hash === undefined ? null : (hash >>> 0) / TWO_POW_32,
    revision,
    errorCode: decided.errorCode,
  }
}

function internalError(cause: unknown, experiment: string): SplitlaneError {
  return new SplitlaneError(ErrorCode.Internal, 'unexpected failure inside splitlane (please report it)', { cause, experiment })
}

/** What a failure on the request path was: the caller's context (an attribute that threw when read), or a bug. */
function failureOf(cause: unknown, experiment: string): SplitlaneError {
  if (cause instanceof AttributeReadError)
    return new SplitlaneError(ErrorCode.ContextInvalid, `${cause.message}: attributes must be plain values`, {
      cause: cause.cause,
      experiment,
    })
  return internalError(cause, experiment)
}

/** The index of `name` among the experiment's variants, own entries of `record` only; -1 when absent or unknown. */
function forcedIndex(experiment: CompiledExperiment, record: Readonly<Record<string, string>> | undefined): number {
  if (record === undefined || !Object.hasOwn(record, experiment.name)) return -1
  return experiment.names.indexOf(record[experiment.name]!)
}

/**
 * Creates a splitter over a config. Throws `SplitlaneConfigError` for an invalid config and
 * `SplitlaneError` for unusable options; after that, nothing it does on the request path throws.
 */
export function createSplitter<const C extends SplitlaneConfig>(options: SplitterOptions<C>): Splitter<NamesOf<C>>
export function createSplitter(options: SplitterOptions): UntypedSplitter {
  validateOptions(options)
  const { onError, onAssignment, random, overrideTokens } = options
  const initial = compileOrError(options.config, random)
  if (initial instanceof SplitlaneError) throw initial
  let state: CompiledConfig = initial

  const report: ErrorHandler = (error) => {
    try {
      onError?.(error)
    } catch {
      // a failing error handler must not fail the request
    }
  }

  /** A draw from the random source as a 32-bit hash, or the error when the source misbehaves. */
  const drawHash = (experiment: CompiledExperiment): number | SplitlaneError => {
    let draw: unknown
    try {
      draw = random!()
    } catch (cause) {
      return new SplitlaneError(ErrorCode.RandomInvalid, 'the random source threw', { cause, experiment: experiment.name })
    }
    if (typeof draw === 'number' && draw >= 0 && draw < 1) return Math.floor(draw * TWO_POW_32) | 0
    return new SplitlaneError(ErrorCode.RandomInvalid, `the random source returned ${describeValue(draw)}, expected a number in [0, 1)`, {
      experiment: experiment.name,
    })
  }

  let accepted = 0
  const rejectedByCode: Partial<Record<ErrorCode, number>> = {}

  // Scratch for the key-hash memo of assignAll: one key is hashed once per call.
  let memoKey: string | null = null
  let memoHash = 0
  const keyHashOf = (key: string, memo: boolean): number => {
    if (!memo) return hashText(key, 0)
    if (key !== memoKey) {
      memoKey = key
      memoHash = hashText(key, 0)
    }
    return memoHash
  }

  /** Control, outside analysis: errors, no key, the kill switch, the holdout, outside a layer or exposure. */
  const control = (
    experiment: CompiledExperiment,
    revision: string | number | null,
    reason: Reason,
    key: string | null,
    keyFrom: string | null,
    errorCode?: ErrorCode,
  ): Assignment =>
    assignmentOf(experiment, revision, { index: experiment.controlIndex, reason, inExperiment: false, key, keyFrom, errorCode })

  /** The pipeline's last step: exposure, then the split of the unit by its hash (in `target`: the rule's weights). */
  const split = (
    experiment: CompiledExperiment,
    target: CompiledExperiment,
    hash: number,
    key: string | null,
    keyFrom: string | null,
    ruleId: string | undefined,
    revision: string | number | null,
  ): Assignment => {
    const exposed = isExposed(target, hash)
    const index = exposed ? chooseVariant(target, hash) : target.controlIndex
    const reason = !exposed ? 'not_exposed' : ruleId !== undefined ? 'rule' : target.staticIndex >= 0 ? 'static' : 'split'
    return assignmentOf(experiment, revision, { index, reason, inExperiment: exposed, key, keyFrom, hash, ruleId })
  }

  /**
   * The pipeline: every assignment of every entry point (assign, variantOf, assignAll, the adapters) is decided
   * here, in the documented order: the unit key, kill switch, config overrides, override tokens, inherited baggage,
   * holdout, layer, targeting rules, then exposure and the split. Each step that decides records its reason
   * and source. Steps a compiled experiment does not use are skipped by its plan (`overrides`, `rules`, `layer`
   * null; `plain` for none at all, which lets callers jump to the last step).
   */
  const decide = (experiment: CompiledExperiment, read: ReadContext, memo: boolean, revision: string | number | null): Assignment => {
    let key: string | null = null
    let keyFrom: string | null = null
    if (experiment.bucketBy.length === 0) {
      if (read.key instanceof SplitlaneError) return control(experiment, revision, 'error', null, 'key', read.key.code)
      if (read.key !== null) {
        key = read.key
        keyFrom = 'key'
      }
    } else {
      const found = keyFromAttributes(experiment.bucketBy, read.attributes, experiment.name)
      if (found instanceof SplitlaneError) {
        report(found)
        return control(experiment, revision, 'error', null, null, found.code)
      }
      if (found !== null) {
        key = found.key
        keyFrom = found.from
      }
    }
    if (!experiment.enabled) return control(experiment, revision, 'disabled', key, keyFrom)
    const forced = key === null || experiment.overrides === null ? undefined : experiment.overrides.get(key)
    if (forced !== undefined)
      return assignmentOf(experiment, revision, { index: forced, reason: 'override', inExperiment: false, key, keyFrom, source: 'config' })
    if (read.overrides instanceof SplitlaneError) {
      if (read.unreported === true) report(read.overrides)
      read.unreported = false
    } else if (read.overrides !== undefined) {
      const token = forcedIndex(experiment, read.overrides.variants)
      if (token >= 0)
        return assignmentOf(experiment, revision, { index: token, reason: 'override', inExperiment: false, key, keyFrom, source: 'token' })
      const inherited = forcedIndex(experiment, read.overrides.inherited)
      if (inherited >= 0)
        return assignmentOf(experiment, revision, {
          index: inherited,
          reason: 'override',
          inExperiment: false,
          key,
          keyFrom,
          source: 'baggage',
        })
    }
    // The holdout and layers come before rules: they decide who may take part in experiments at all.
    if (key !== null && (experiment.holdoutThreshold !== 0 || experiment.layer !== null)) {
      const keyHash = keyHashOf(key, memo)
      if (experiment.holdoutThreshold !== 0 && isHeldOut(experiment, keyHash)) return control(experiment, revision, 'holdout', key, keyFrom)
      if (!isInLayerSlice(experiment, keyHash)) return control(experiment, revision, 'outside_layer', key, keyFrom)
    }
    let target = experiment
    let ruleId: string | undefined
    if (experiment.rules !== null) {
      for (const rule of experiment.rules) {
        if (!matches(rule.when, read.attributes)) continue
        if (rule.pinIndex >= 0)
          return assignmentOf(experiment, revision, {
            index: rule.pinIndex,
            reason: 'rule',
            inExperiment: false,
            key,
            keyFrom,
            ruleId: rule.id,
          })
        target = rule.target!
        ruleId = rule.id
        break
      }
    }
    if (target.compat !== null) {
      // Another system's bucketing (layout { compat }): it decides who is in and which variant, from the key.
      if (key === null) return control(experiment, revision, 'no_key', null, null)
      const compatHash = target.compat.hash(key)
      const chosen = target.compat.choose(key, compatHash)
      const reason = chosen < 0 ? 'not_exposed' : ruleId !== undefined ? 'rule' : 'split'
      return assignmentOf(experiment, revision, {
        index: chosen < 0 ? target.controlIndex : chosen,
        reason,
        inExperiment: chosen >= 0,
        key,
        keyFrom,
        hash: compatHash,
        ruleId,
      })
    }
    let hash: number
    if (experiment.random) {
      const draw = drawHash(experiment)
      if (draw instanceof SplitlaneError) {
        report(draw)
        return control(experiment, revision, 'error', key, keyFrom, draw.code)
      }
      hash = draw
    } else {
      if (key === null) return control(experiment, revision, 'no_key', null, null)
      hash = unitHashOf(keyHashOf(key, memo), experiment) // memoized in assignAll
    }
    return split(experiment, target, hash, key, keyFrom, ruleId, revision)
  }

  /** Decides, turning any unexpected failure into control and a report. */
  const safely = (
    experiment: CompiledExperiment,
    read: ReadContext | SplitlaneError,
    memo: boolean,
    revision: string | number | null,
  ): Assignment => {
    if (read instanceof SplitlaneError) return control(experiment, revision, 'error', null, null, read.code)
    try {
      return decide(experiment, read, memo, revision)
    } catch (cause) {
      const error = failureOf(cause, experiment.name)
      report(error)
      return control(experiment, revision, 'error', null, null, error.code)
    }
  }

  /** Reports what is wrong with a call's context once, however many experiments it reaches. */
  const reportContext = (read: ReadContext | SplitlaneError, usesContextKey: boolean): void => {
    if (read instanceof SplitlaneError) report(read)
    else if (read.key instanceof SplitlaneError && usesContextKey) report(read.key)
  }

  const notify = (assignment: Assignment): void => {
    if (onAssignment === undefined) return
    try {
      onAssignment(assignment)
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.CallbackFailed, 'onAssignment threw', { cause, experiment: assignment.experiment }))
    }
  }

  const unknownExperiment = (name: unknown, config: CompiledConfig): Assignment => {
    const text = typeof name === 'string' ? name : describeValue(name)
    report(
      new SplitlaneError(
        ErrorCode.ExperimentUnknown,
        `no experiment named ${describeValue(text)} in config revision ${String(config.revision)}`,
        {
          experiment: text,
        },
      ),
    )
    return noVariant(text, 'unknown_experiment', config.revision, ErrorCode.ExperimentUnknown)
  }

  /**
   * The whole-call guard of assign: nothing known can fail outside `safely`, but the promise is
   * that the request path never throws, so an unknown failure still answers (control when the
   * experiment is known) and is reported.
   */
  const failedAssign = (config: CompiledConfig, name: unknown, cause: unknown): Assignment => {
    const experiment = typeof name === 'string' ? config.byName.get(name) : undefined
    const error = failureOf(cause, experiment?.name ?? '')
    report(error)
    if (experiment !== undefined) return control(experiment, config.revision, 'error', null, null, error.code)
    return noVariant(typeof name === 'string' ? name : describeValue(name), 'error', config.revision, error.code)
  }

  const noVariant = (experiment: string, reason: Reason, revision: string | number | null, errorCode: ErrorCode): Assignment => {
    return {
      experiment,
      variant: null,
      value: null,
      reason,
      ruleId: undefined,
      source: undefined,
      inExperiment: false,
      key: null,
      keyFrom: null,
      hash: null,
      bucket: null,
      revision,
      errorCode,
    }
  }

  /** variantOf beyond its fast path: the pipeline itself, for the key alone. */
  const variantOfAny = (experiment: CompiledExperiment, rawKey: unknown): string => {
    try {
      const key = normalizeKey(rawKey)
      if (key === INVALID_KEY) {
        report(keyError('key', rawKey, experiment.name))
        return experiment.names[experiment.controlIndex]!
      }
      return decide(experiment, { key, attributes: undefined }, false, null).variant!
    } catch (cause) {
      report(failureOf(cause, experiment.name))
      return experiment.names[experiment.controlIndex]!
    }
  }

  const assignEvery = (config: CompiledConfig, context: unknown): Record<string, Assignment> => {
    const read = readContext(context, undefined)
    reportContext(read, config.usesContextKey)
    // A null-prototype record: V8 fills one with 1,000 keys several times faster than `{}`.
    const result = Object.create(null) as Record<string, Assignment>
    memoKey = null
    // With a valid context.key and no override tokens, a plain experiment keyed by it (the common case) goes
    // straight to the pipeline's last step, as decide would (its plan has no other step), and nothing there can fail.
    const key = read instanceof SplitlaneError || read.overrides !== undefined || typeof read.key !== 'string' ? null : read.key
    for (const experiment of config.list) {
      const assignment =
        key !== null && experiment.plain && experiment.bucketBy.length === 0
          ? split(experiment, experiment, unitHashOf(keyHashOf(key, true), experiment), key, 'key', undefined, config.revision)
          : safely(experiment, read, true, config.revision)
      notify(assignment)
      result[experiment.name] = assignment
    }
    memoKey = null
    return result
  }

  return {
    assign(name, context) {
      const config = state
      try {
        const experiment = typeof name === 'string' ? config.byName.get(name) : undefined
        if (experiment === undefined) return unknownExperiment(name, config)
        const read = readContext(context, experiment.name)
        reportContext(read, experiment.bucketBy.length === 0)
        const assignment = safely(experiment, read, false, config.revision)
        notify(assignment)
        return assignment
      } catch (cause) {
        return failedAssign(config, name, cause)
      }
    },

    variantOf(name, rawKey) {
      const config = state
      const experiment = config.byName.get(name)
      if (experiment === undefined) {
        try {
          unknownExperiment(name, config)
        } catch (cause) {
          report(failureOf(cause, '')) // whole-call guard, as in assign
        }
        return null
      }
      // The common case, a plain experiment (its plan is the last step alone) and a string key, cannot fail.
      if (experiment.plain && typeof rawKey === 'string' && rawKey !== '') {
        return experiment.names[variantIndexOf(experiment, unitHashOf(hashText(rawKey, 0), experiment))]!
      }
      return variantOfAny(experiment, rawKey)
    },

    assignAll(context) {
      const config = state
      try {
        return assignEvery(config, context)
      } catch (cause) {
        // Whole-call guard, as in assign: every experiment answers control.
        const error = failureOf(cause, '')
        report(error)
        const result = Object.create(null) as Record<string, Assignment>
        for (const experiment of config.list)
          result[experiment.name] = control(experiment, config.revision, 'error', null, null, error.code)
        return result
      }
    },

    explain(assignment, context) {
      return explainAssignment(assignment, state, context)
    },

    verifyOverrides(tokens, now) {
      const config = state
      const check = {
        knows: (experiment: string, variant: string) => config.byName.get(experiment)?.names.includes(variant) === true,
      }
      const settle = (result: VerifyResult): VerifiedOverrides => {
        accepted += result.accepted
        for (const error of result.rejected) {
          rejectedByCode[error.code] = (rejectedByCode[error.code] ?? 0) + 1
          report(error)
        }
        return result.overrides
      }
      try {
        const result = verifyOverrideTokens(tokens, now, overrideTokens?.sign, check)
        return result instanceof Promise ? result.then(settle) : settle(result)
      } catch (cause) {
        report(internalError(cause, ''))
        return settle(verifyOverrideTokens(undefined, now, undefined, check) as VerifyResult)
      }
    },

    get overrideTokenCounts(): OverrideTokenCounts {
      const rejected = Object.values(rejectedByCode).reduce((sum, count) => sum + count, 0)
      return { accepted, rejected, rejectedByCode: { ...rejectedByCode } }
    },

    update(config): UpdateResult {
      const next = compileOrError(config, random)
      if (next instanceof SplitlaneError) {
        report(next)
        return { ok: false, error: next }
      }
      state = next
      return { ok: true, revision: next.revision }
    },

    get config() {
      return state.parsed
    },

    get revision() {
      return state.revision
    },
  }
}
