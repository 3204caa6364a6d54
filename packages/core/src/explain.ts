import { TWO_POW_32, exposureDraw, layerPosition, rendezvousScore, type CompiledConfig, type CompiledExperiment } from './bucketing.js'
import { ErrorCode } from './errors.js'
import { hashText, mixInt } from './murmur3.js'
import { describeCondition, whyNot } from './targeting/conditions.js'
import type { Assignment, Context, OverrideSource } from './types.js'
import { own } from './own.js'

const ERROR_CAUSES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ContextInvalid]: 'the context was not an object like { key, attributes }, or reading it threw',
  [ErrorCode.KeyInvalid]: 'the key was not a string, a finite number or a bigint',
  [ErrorCode.RandomInvalid]: 'the random source threw or returned a number outside [0, 1)',
  [ErrorCode.Internal]: 'an unexpected failure inside splitlane',
}

/** What each step that forces a variant says about it, by the source it recorded (never inferred). */
const OVERRIDE_SOURCES: Record<OverrideSource | 'unknown', (assignment: Assignment) => string> = {
  config: (a) => `${whose(a)} is listed in overrides, which pin it to "${a.variant}" before any hashing`,
  token: (a) => `a signed override token presented with the request forces "${a.variant}" (checked by verifyOverrides before assignment)`,
  baggage: (a) =>
    `the calling service decided "${a.variant}" and sent it in W3C baggage, which this service honours (honourBaggage) before the holdout, layers, rules and split`,
  unknown: (a) => `"${a.variant}" was forced before any hashing (the assignment does not record by which step)`,
}

const hex = (hash: number): string => `0x${hash.toString(16).padStart(8, '0')}`
const fraction = (value: number): string => value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '.0')
const percent = (value: number): string => `${Number(value.toPrecision(4))}%`

function whose(assignment: Assignment): string {
  if (assignment.key === null) return 'the unit'
  const source = assignment.keyFrom === 'key' || assignment.keyFrom === null ? 'context.key' : `attribute ${assignment.keyFrom}`
  return `key ${JSON.stringify(assignment.key)} (from ${source})`
}

function weightsOf(experiment: CompiledExperiment): string {
  return experiment.names
    .map((name, index) => {
      const weight = experiment.weights[index]!
      return `${name} ${weight} (${percent((weight / experiment.totalWeight) * 100)})`
    })
    .join(', ')
}

function hashPhrase(assignment: Assignment, experiment: CompiledExperiment, hash: number): string {
  if (experiment.random) return `mode random drew ${fraction(hash / TWO_POW_32)} from the random source for this request (not sticky)`
  return `${whose(assignment)} hashes to ${hex(hash)} for this experiment (bucket ${fraction(hash / TWO_POW_32)})`
}

function exposurePhrase(experiment: CompiledExperiment, hash: number, exposed: boolean): string {
  const exposure = experiment.source.exposure
  if (exposure === 100) return 'exposure 100% admits every unit'
  const draw = fraction(exposureDraw(hash) / TWO_POW_32)
  return exposed
    ? `its exposure draw ${draw} is below the exposure of ${percent(exposure)}, so it entered`
    : `its exposure draw ${draw} is not below the exposure of ${percent(exposure)}, so it stays out of the experiment and gets control`
}

function splitPhrase(experiment: CompiledExperiment, hash: number, variant: string): string {
  if (experiment.staticIndex >= 0) return `only "${variant}" has weight (${weightsOf(experiment)}), so every exposed unit gets it`
  if (experiment.ranges) {
    let lower = 0
    const ranges = experiment.names.map((name, index) => {
      const upper = experiment.upperBounds[index]!
      const text = `${name} [${fraction(lower / TWO_POW_32)}, ${fraction(upper / TWO_POW_32)})`
      lower = upper
      return text
    })
    return `the ranges layout over weights ${weightsOf(experiment)} gives ${ranges.join(', ')}; bucket ${fraction(hash / TWO_POW_32)} falls in "${variant}"`
  }
  const scores = experiment.active
    .map((index) => `${experiment.names[index]} ${rendezvousScore(experiment, index, hash).toPrecision(4)}`)
    .join(', ')
  return `the stable layout (weighted rendezvous) scored each variant from the hash and its weight (${weightsOf(experiment)}), higher wins: ${scores}; "${variant}" scored highest`
}

const ordinal = (index: number) => ['first', 'second', 'third'][index] ?? `#${index + 1}`

/** How rules went for a unit that got the default: none matched, and why the first failed. */
function noRulePhrase(experiment: CompiledExperiment, context: Context | undefined): string {
  const rules = experiment.rules
  if (rules === null) return ''
  const first = rules[0]!
  const why =
    context === undefined
      ? `pass the context as explain's second argument to see why rule "${first.id}" failed`
      : `${rules.length === 1 ? '' : `the first, "${first.id}", failed: `}${whyNot(first.when, context.attributes)}`
  const lead = rules.length === 1 ? `its only rule, "${first.id}", did not match` : `none of its ${rules.length} rules matched`
  return `${lead} (${why}), so the default split applies; `
}

function slicesOf(experiment: CompiledExperiment): string {
  const bounds = experiment.source.layer?.slices ?? []
  return bounds.map(([start, end]) => `[${start}%, ${end}%)`).join(', ')
}

/** Why an assignment came out as it did: one or two sentences a person reads at once. */
export function explainAssignment(assignment: Assignment, config: CompiledConfig, context?: Context): string {
  if (typeof assignment !== 'object' || assignment === null || typeof assignment.experiment !== 'string')
    return 'Not a splitlane assignment: explain takes what assign or assignAll returned.'
  const { experiment: name, variant, reason } = assignment
  const experiment = config.byName.get(name)
  const head = `${name} → ${variant === null ? 'no variant' : `"${variant}"`}`
  const stale =
    assignment.revision !== config.revision
      ? ` (Assigned under config revision ${String(assignment.revision)}; explained against revision ${String(config.revision)}.)`
      : ''
  const counted = assignment.inExperiment ? ' The unit counts for analysis.' : ' The unit does not count for analysis.'

  if (reason === 'unknown_experiment') {
    const known = [...config.byName.keys()]
    return `${head}: there is no experiment named ${JSON.stringify(name)} in the config (known: ${known.join(', ') || 'none'}); assign returned no variant and reported ${assignment.errorCode} to onError.`
  }
  if (experiment === undefined)
    return `${head} (${reason}): experiment ${JSON.stringify(name)} is no longer in the config (revision ${String(config.revision)}), so the evidence cannot be replayed.${stale}`
  if (reason === 'error')
    return `${head}: control, because ${(assignment.errorCode && own(ERROR_CAUSES, assignment.errorCode)) ?? 'the request could not be evaluated'} (${assignment.errorCode}); the details went to onError and the request went on.${counted}${stale}`
  if (reason === 'disabled')
    return `${head}: the experiment is switched off (enabled: false), so every unit gets control "${variant}".${counted}${stale}`
  if (reason === 'no_key') {
    const sources =
      experiment.bucketBy.length > 0
        ? `none of the attributes ${experiment.bucketBy.join(', ')} was present`
        : 'context.key was missing or empty'
    return `${head}: no bucketing key (${sources}), so the unit gets control.${counted}${stale}`
  }
  if (reason === 'override') {
    const source =
      typeof assignment.source === 'string' && Object.hasOwn(OVERRIDE_SOURCES, assignment.source) ? assignment.source : 'unknown'
    return `${head}: ${OVERRIDE_SOURCES[source](assignment)}.${counted}${stale}`
  }
  if (reason === 'holdout') {
    const holdout = config.parsed.holdout
    const draw = assignment.key === null ? 0 : (mixInt(hashText(assignment.key, 0), experiment.holdoutSeed) >>> 0) / TWO_POW_32
    return `${head}: ${whose(assignment)} is in the holdout (its holdout draw ${fraction(draw)} is below ${percent(holdout.percent)}), which is kept out of every experiment and gets control.${counted}${stale}`
  }
  if (reason === 'outside_layer' && experiment.layer !== null) {
    const position = assignment.key === null ? 0 : layerPosition(experiment.layer, hashText(assignment.key, 0)) / TWO_POW_32
    return `${head}: ${whose(assignment)} sits at ${fraction(position)} in layer "${experiment.layer.name}", outside this experiment's slice ${slicesOf(experiment)}, so another experiment of the layer may have it and this one serves control.${counted}${stale}`
  }
  const ruleIndex =
    assignment.ruleId === undefined || experiment.rules === null ? -1 : experiment.rules.findIndex((rule) => rule.id === assignment.ruleId)
  const rule = ruleIndex >= 0 ? experiment.rules![ruleIndex]! : undefined
  const matched = rule === undefined ? '' : `rule "${rule.id}" (the ${ordinal(ruleIndex)} rule) matched: ${describeCondition(rule.when)}`
  if (rule !== undefined && rule.target === null) return `${head}: ${matched}, which pins "${variant}".${counted}${stale}`

  const target = rule?.target ?? experiment
  const hash = assignment.hash ?? 0
  const exposed = reason !== 'not_exposed'
  const parts =
    target.compat !== null
      ? [
          `${whose(assignment)} is bucketed as ${target.compat.explain(assignment.key ?? '', hash)}`,
          exposed ? `which gives "${variant}"` : `which leaves it out of the experiment, so it gets control`,
        ]
      : [hashPhrase(assignment, experiment, hash), exposurePhrase(target, hash, exposed)]
  if (exposed && target.compat === null) parts.push(splitPhrase(target, hash, variant ?? ''))
  const lead =
    rule !== undefined
      ? `${matched}, so its ${rule.kind === 'weights' ? 'weights apply' : 'exposure applies'}; `
      : noRulePhrase(experiment, context)
  return `${head}: ${lead}${parts.join('; ')}.${counted}${stale}`
}
