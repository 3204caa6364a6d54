import {
  TWO_POW_32,
  chooseVariant,
  compileConfig,
  isExposed,
  unitHashOf,
  type CompiledConfig,
  type CompiledExperiment,
} from './bucketing.js'
import { safeParseConfig } from './config/parse.js'
import { ErrorCode, SplitlaneError } from './errors.js'
import { explainAssignment } from './explain.js'
import { murmur3 } from './murmur3.js'
import type { Assignment, Context, ErrorHandler, Reason, Splitter, SplitterOptions, UpdateResult } from './types.js'

const INVALID_KEY = Symbol('invalid key')

/** Keys are strings; finite numbers and bigints become decimal text; '' and null mean no key. */
function normalizeKey(raw: unknown): string | null | typeof INVALID_KEY {
  if (typeof raw === 'string') return raw === '' ? null : raw
  if (raw === undefined || raw === null) return null
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : INVALID_KEY
  if (typeof raw === 'bigint') return raw.toString()
  return INVALID_KEY
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return String(value)
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function validateOptions(options: unknown): asserts options is SplitterOptions {
  const fail = (message: string) => {
    throw new SplitlaneError(ErrorCode.OptionsInvalid, `createSplitter: ${message}`)
  }
  if (typeof options !== 'object' || options === null) fail('expected an options object like { config }')
  const { onError, onAssignment, random } = options as Record<string, unknown>
  if (onError !== undefined && typeof onError !== 'function') fail('onError must be a function')
  if (onAssignment !== undefined && typeof onAssignment !== 'function') fail('onAssignment must be a function')
  if (random !== undefined && typeof random !== 'function') fail('random must be a function returning [0, 1)')
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

/**
 * Creates a splitter over a config. Throws `SplitlaneConfigError` for an invalid config and
 * `SplitlaneError` for unusable options; after that, nothing it does on the request path throws.
 */
export function createSplitter(options: SplitterOptions): Splitter {
  validateOptions(options)
  const { onError, onAssignment, random } = options
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

  const fallback = (
    experiment: CompiledExperiment,
    revision: string | number | null,
    reason: Reason,
    key: string | null,
    keyFrom: string | null,
    error?: SplitlaneError,
  ): Assignment => {
    if (error) report(error)
    return {
      experiment: experiment.name,
      variant: experiment.names[experiment.controlIndex]!,
      value: experiment.values[experiment.controlIndex]!,
      reason,
      ruleId: undefined,
      inExperiment: false,
      key,
      keyFrom,
      hash: null,
      bucket: null,
      revision,
      errorCode: error?.code,
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
    if (typeof draw === 'number' && draw >= 0 && draw < 1) return Math.floor(draw * TWO_POW_32)
    return new SplitlaneError(ErrorCode.RandomInvalid, `the random source returned ${describeValue(draw)}, expected a number in [0, 1)`, {
      experiment: experiment.name,
    })
  }

  // Scratch for the key-hash memo of assignAll: one key is hashed once per call.
  let memoKey: string | null = null
  let memoHash = 0
  const keyHashOf = (key: string, memo: boolean): number => {
    if (!memo) return murmur3(key)
    if (key !== memoKey) {
      memoKey = key
      memoHash = murmur3(key)
    }
    return memoHash
  }

  const evaluate = (config: CompiledConfig, experiment: CompiledExperiment, context: Context | undefined, memo: boolean): Assignment => {
    const revision = config.revision
    if (context !== undefined && (typeof context !== 'object' || context === null || Array.isArray(context)))
      return fallback(
        experiment,
        revision,
        'error',
        null,
        null,
        new SplitlaneError(
          ErrorCode.ContextInvalid,
          `context must be an object like { key: 'user-42' }, received ${describeValue(context)}`,
          {
            experiment: experiment.name,
          },
        ),
      )
    let key: string | null = null
    let keyFrom: string | null = null
    try {
      const attributes = context?.attributes
      if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null))
        return fallback(
          experiment,
          revision,
          'error',
          null,
          null,
          new SplitlaneError(ErrorCode.ContextInvalid, `context.attributes must be an object, received ${describeValue(attributes)}`, {
            experiment: experiment.name,
          }),
        )
      const sources = experiment.bucketBy
      if (sources.length === 0) {
        const normalized = normalizeKey(context?.key)
        if (normalized === INVALID_KEY)
          return fallback(
            experiment,
            revision,
            'error',
            null,
            'key',
            new SplitlaneError(
              ErrorCode.KeyInvalid,
              `context.key must be a string, a finite number or a bigint, received ${describeValue(context?.key)}`,
              {
                experiment: experiment.name,
              },
            ),
          )
        if (normalized !== null) [key, keyFrom] = [normalized, 'key']
      } else {
        for (const name of sources) {
          const normalized = normalizeKey(attributes?.[name])
          if (normalized === INVALID_KEY)
            return fallback(
              experiment,
              revision,
              'error',
              null,
              name,
              new SplitlaneError(
                ErrorCode.KeyInvalid,
                `attribute ${name} (bucketBy) must be a string, a finite number or a bigint, received ${describeValue(attributes?.[name])}`,
                { experiment: experiment.name },
              ),
            )
          if (normalized !== null) {
            ;[key, keyFrom] = [normalized, name]
            break
          }
        }
      }
    } catch (cause) {
      return fallback(
        experiment,
        revision,
        'error',
        null,
        null,
        new SplitlaneError(ErrorCode.ContextInvalid, 'reading the context threw', { cause, experiment: experiment.name }),
      )
    }

    if (!experiment.enabled) return fallback(experiment, revision, 'disabled', key, keyFrom)
    if (key !== null && experiment.overrides !== null) {
      const forced = experiment.overrides.get(key)
      if (forced !== undefined)
        return {
          experiment: experiment.name,
          variant: experiment.names[forced]!,
          value: experiment.values[forced]!,
          reason: 'override',
          ruleId: undefined,
          inExperiment: false,
          key,
          keyFrom,
          hash: null,
          bucket: null,
          revision,
          errorCode: undefined,
        }
    }
    let hash: number
    if (experiment.random) {
      const draw = drawHash(experiment)
      if (draw instanceof SplitlaneError) return fallback(experiment, revision, 'error', key, keyFrom, draw)
      hash = draw
    } else {
      if (key === null) return fallback(experiment, revision, 'no_key', null, null)
      hash = unitHashOf(keyHashOf(key, memo), experiment)
    }
    const exposed = isExposed(experiment, hash)
    const index = exposed ? chooseVariant(experiment, hash) : experiment.controlIndex
    return {
      experiment: experiment.name,
      variant: experiment.names[index]!,
      value: experiment.values[index]!,
      reason: !exposed ? 'not_exposed' : experiment.staticIndex >= 0 ? 'static' : 'split',
      ruleId: undefined,
      inExperiment: exposed,
      key,
      keyFrom,
      hash,
      bucket: hash / TWO_POW_32,
      revision,
      errorCode: undefined,
    }
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
    const text = typeof name === 'string' ? name : String(describeValue(name))
    report(
      new SplitlaneError(
        ErrorCode.ExperimentUnknown,
        `no experiment named ${JSON.stringify(text)} in config revision ${String(config.revision)}`,
        {
          experiment: text,
        },
      ),
    )
    return {
      experiment: text,
      variant: null,
      value: null,
      reason: 'unknown_experiment',
      ruleId: undefined,
      inExperiment: false,
      key: null,
      keyFrom: null,
      hash: null,
      bucket: null,
      revision: config.revision,
      errorCode: ErrorCode.ExperimentUnknown,
    }
  }

  const internalError = (cause: unknown, name: string): void =>
    report(new SplitlaneError(ErrorCode.Internal, 'unexpected failure inside splitlane (please report it)', { cause, experiment: name }))

  return {
    assign(name, context) {
      const config = state
      const experiment = typeof name === 'string' ? config.byName.get(name) : undefined
      if (experiment === undefined) return unknownExperiment(name, config)
      let assignment: Assignment
      try {
        assignment = evaluate(config, experiment, context, false)
      } catch (cause) {
        internalError(cause, experiment.name)
        assignment = fallback(experiment, config.revision, 'error', null, null)
      }
      notify(assignment)
      return assignment
    },

    variantOf(name, rawKey) {
      const config = state
      const experiment = config.byName.get(name)
      if (experiment === undefined) {
        unknownExperiment(name, config)
        return null
      }
      const control = experiment.names[experiment.controlIndex]!
      try {
        if (!experiment.enabled) return control
        const key = typeof rawKey === 'string' && rawKey !== '' ? rawKey : normalizeKey(rawKey)
        if (key === INVALID_KEY) {
          report(
            new SplitlaneError(
              ErrorCode.KeyInvalid,
              `key must be a string, a finite number or a bigint, received ${describeValue(rawKey)}`,
              {
                experiment: name,
              },
            ),
          )
          return control
        }
        if (key !== null && experiment.overrides !== null) {
          const forced = experiment.overrides.get(key)
          if (forced !== undefined) return experiment.names[forced]!
        }
        let hash: number
        if (experiment.random) {
          const draw = drawHash(experiment)
          if (draw instanceof SplitlaneError) {
            report(draw)
            return control
          }
          hash = draw
        } else {
          if (key === null) return control
          hash = unitHashOf(murmur3(key), experiment)
        }
        return isExposed(experiment, hash) ? experiment.names[chooseVariant(experiment, hash)]! : control
      } catch (cause) {
        internalError(cause, name)
        return control
      }
    },

    assignAll(context) {
      const config = state
      const result: Record<string, Assignment> = {}
      memoKey = null
      for (const experiment of config.list) {
        let assignment: Assignment
        try {
          assignment = evaluate(config, experiment, context, true)
        } catch (cause) {
          internalError(cause, experiment.name)
          assignment = fallback(experiment, config.revision, 'error', null, null)
        }
        notify(assignment)
        result[experiment.name] = assignment
      }
      memoKey = null
      return result
    },

    explain(assignment) {
      return explainAssignment(assignment, state)
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
