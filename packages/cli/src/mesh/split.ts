// The shape Gateway API rules and Istio http routes share: weighted destinations behind a match.
// Both importers read their format into `MeshRoute`s; this turns them into experiments.
import {
  MAX_VARIANTS,
  type Condition,
  type ExperimentConfig,
  type ParsedConfig,
  type JsonValue,
  type RuleConfig,
  type VariantConfig,
} from '@splitlane/core'
import { formatPath } from '@splitlane/core/adapter'
import { headerAttributes, ManifestError, toSplitlaneWeights, uniqueNames, type Path, type Report } from './common.js'

export interface Destination {
  /** Identity: the same backend in two routes is one variant. */
  readonly key: string
  /** Variant names to try, most readable first. */
  readonly names: readonly string[]
  readonly value: JsonValue
}

export type RouteMatch =
  /** Every request (no match, or a match on everything). */
  | { readonly kind: 'all' }
  /** Requests whose headers match: a targeting rule. */
  | { readonly kind: 'headers'; readonly condition: Condition }
  /** Anything splitlane's targeting cannot say (paths, methods, query parameters). */
  | { readonly kind: 'other'; readonly summary: string; readonly path: Path }

export interface MeshRoute {
  readonly path: Path
  /** The rule's name, or its index. */
  readonly label: string
  /** Where the destinations and their weights are, and where the match is. */
  readonly weightsPath: Path
  readonly matchPath: Path
  readonly destinations: readonly { readonly destination: Destination; readonly weight: number }[]
  readonly match: RouteMatch
}

/**
 * One experiment for a catch-all route with header-matching routes before it (each a targeting rule,
 * in order: the first that matches decides); otherwise one experiment per route, with what decides which
 * requests reach it reported.
 */
export function buildExperiments(options: {
  name: string
  source: string
  routes: readonly MeshRoute[]
  report: Report
}): Record<string, ExperimentConfig> {
  const { name, source, routes, report } = options
  const catchAll = routes.filter((route) => route.match.kind === 'all')
  if (routes.length > 0 && catchAll.length === 1 && routes.every((route) => route.match.kind !== 'other'))
    return { [name]: merged(source, routes, catchAll[0]!, report) }
  const experiments: Record<string, ExperimentConfig> = {}
  const names = uniqueNames(routes.map((route) => (routes.length === 1 ? [name] : [`${name}-${route.label}`])))
  routes.forEach((route, index) => {
    const experimentName = names[index]!
    if (route.match.kind === 'headers')
      report.warn(
        route.matchPath,
        `header match decides which requests reach this split; not carried over: assign experiment "${experimentName}" only on those requests`,
      )
    if (route.match.kind === 'other')
      report.warn(
        route.match.path,
        `${route.match.summary} decides which requests reach this split; not carried over: assign experiment "${experimentName}" only on those requests`,
      )
    experiments[experimentName] = merged(`${source}, ${formatPath(route.path)}`, [route], route, report)
  })
  return experiments
}

function merged(source: string, routes: readonly MeshRoute[], main: MeshRoute, report: Report): ExperimentConfig {
  const destinations = new Map<string, Destination>()
  // the catch-all's destinations first: the first variant is the control
  for (const route of [main, ...routes]) for (const { destination } of route.destinations) destinations.set(destination.key, destination)
  if (destinations.size > MAX_VARIANTS)
    throw new ManifestError(
      formatPath(main.path),
      `${destinations.size} distinct destinations in one split; a splitlane experiment has at most ${MAX_VARIANTS} variants (docs/cli.md#limits)`,
    )
  const keys = [...destinations.keys()]
  const names = uniqueNames(keys.map((key) => destinations.get(key)!.names))
  const nameOf = new Map(keys.map((key, index) => [key, names[index]!]))
  const weightsOf = (route: MeshRoute): Map<string, number> => {
    const summed = new Map<string, number>()
    for (const { destination, weight } of route.destinations) summed.set(destination.key, (summed.get(destination.key) ?? 0) + weight)
    const scaled = toSplitlaneWeights([...summed.values()], route.weightsPath, report)
    return new Map([...summed.keys()].map((key, index) => [key, scaled[index]!]))
  }
  const defaults = weightsOf(main)
  const variants: VariantConfig[] = keys.map((key) => ({
    name: nameOf.get(key)!,
    weight: defaults.get(key) ?? 0,
    value: destinations.get(key)!.value,
  }))
  const rules: RuleConfig[] = []
  const ruleRoutes = routes.filter((route) => route !== main)
  const ruleIds = uniqueNames(ruleRoutes.map((route) => [/^\d+$/.test(route.label) ? `rule-${route.label}` : route.label]))
  ruleRoutes.forEach((route, index) => {
    if (route.match.kind !== 'headers') return
    const id = ruleIds[index]!
    const weights = weightsOf(route)
    const live = [...weights].filter(([, weight]) => weight > 0)
    if (live.length === 0) {
      report.warn(route.weightsPath, 'every destination has weight 0 (the mesh answers with an error): rule not carried over')
      return
    }
    if (live.length === 1) rules.push({ id, when: route.match.condition, variant: nameOf.get(live[0]![0])! })
    else
      rules.push({ id, when: route.match.condition, weights: Object.fromEntries(live.map(([key, weight]) => [nameOf.get(key)!, weight])) })
  })
  const headers = headerAttributes(rules.map((rule) => rule.when))
  const enabled = variants.some((variant) => (variant.weight ?? 1) > 0)
  if (!enabled)
    report.warn(main.weightsPath, 'every destination has weight 0 (the mesh answers with an error): imported with enabled: false')
  const description = [
    `Imported from ${source}.`,
    headers.length > 0 ? `Rules read headers: pass headers: [${headers.map((h) => `'${h}'`).join(', ')}] to the adapter.` : '',
  ]
    .filter(Boolean)
    .join(' ')
  return { variants, ...(enabled ? {} : { enabled: false }), ...(rules.length > 0 ? { rules } : {}), description }
}

/** One header test a mesh can express. */
export interface HeaderMatch {
  readonly name: string
  readonly type: 'exact' | 'prefix' | 'regex'
  readonly value: string
}

/** A route to write: header matches (any of the lists, every header of a list), or none for every request. */
export interface ExportRoute {
  /** The targeting rule's id; none for the catch-all. */
  readonly id?: string
  /** `null`: the catch-all route. */
  readonly matches: readonly (readonly HeaderMatch[])[] | null
  readonly weights: readonly { readonly variant: string; readonly weight: number }[]
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A splitlane regex matches anywhere; a mesh's matches the whole value. */
export function fullMatchRegex(pattern: string): string {
  const anchored = /^\^\(\?:(.*)\)\$$/s.exec(pattern)
  return anchored ? anchored[1]! : `.*(?:${pattern}).*`
}

function leafMatches(condition: Condition): HeaderMatch[] | null {
  if (!('attribute' in condition) || condition.negate === true || condition.caseInsensitive === true) return null
  const values = (condition.values ?? []).map(String)
  if (values.length === 0) return null
  const name = condition.attribute
  if (condition.op === 'equals' || condition.op === 'in') return values.map((value) => ({ name, type: 'exact', value }))
  if (condition.op === 'startsWith') return values.map((value) => ({ name, type: 'prefix', value }))
  if (condition.op === 'regex') return values.map((value) => ({ name, type: 'regex', value: fullMatchRegex(value) }))
  return null
}

/** A condition as header matches (any of the lists), or `null` when a mesh cannot say it. */
export function conditionToMatches(condition: Condition): HeaderMatch[][] | null {
  if ('any' in condition) {
    const parts = condition.any.map(conditionToMatches)
    return parts.some((part) => part === null) ? null : parts.flatMap((part) => part!)
  }
  if ('all' in condition) {
    let lists: HeaderMatch[][] = [[]]
    for (const part of condition.all.map(conditionToMatches)) {
      if (part === null) return null
      lists = lists.flatMap((list) => part.map((alternative) => [...list, ...alternative]))
    }
    return lists
  }
  const leaf = leafMatches(condition)
  return leaf === null ? null : leaf.map((match) => [match])
}

export { escapeRegex }

/** The experiment of that name, as an own property: `constructor` names an experiment only when the config has one. */
export function experimentOf(config: ParsedConfig, experiment: string): ParsedConfig['experiments'][string] {
  if (!Object.hasOwn(config.experiments, experiment)) throw new Error(`no experiment "${experiment}" in the config`)
  return config.experiments[experiment]!
}

/**
 * An experiment as mesh routes: its targeting rules that test headers, then the catch-all with the
 * experiment's weights (exposure and the kill switch folded into per-request shares). What a mesh cannot
 * say is reported with its path in the config.
 */
export function experimentRoutes(config: ParsedConfig, experiment: string, report: Report): ExportRoute[] {
  const parsed = experimentOf(config, experiment)
  const base = ['experiments', experiment]
  const routes: ExportRoute[] = []
  parsed.rules.forEach((rule, index) => {
    const path = [...base, 'rules', index]
    if (rule.exposure !== undefined)
      return report.warn([...path, 'exposure'], 'a rule limiting exposure has no mesh equivalent: not exported')
    const when =
      'segment' in rule.when
        ? Object.hasOwn(config.segments, rule.when.segment)
          ? config.segments[rule.when.segment]
          : undefined
        : rule.when
    const matches = when === undefined ? null : conditionToMatches(when)
    if (matches === null)
      return report.warn(
        [...path, 'when'],
        'only header tests (equals, in, startsWith, regex on one attribute, combined with all/any) become mesh matches: rule not exported',
      )
    const weights =
      rule.variant !== undefined
        ? [{ variant: rule.variant, weight: 1 }]
        : Object.entries(rule.weights ?? {}).map(([variant, weight]) => ({ variant, weight }))
    routes.push({ id: rule.id, matches, weights })
  })
  if (routes.length > 0)
    report.warn([...base, 'rules'], 'rules test attributes; the mesh tests request headers of the same (lower-case) names')
  const control = parsed.control
  let weights = parsed.variants.map((variant) => ({ variant: variant.name, weight: variant.weight }))
  if (!parsed.enabled) {
    report.warn([...base, 'enabled'], `disabled: exported as 100% to control "${control}"`)
    weights = weights.map(({ variant }) => ({ variant, weight: variant === control ? 1 : 0 }))
  } else if (parsed.exposure < 100) {
    // per request: exposure% split by weight, the rest to control; in ten-thousandths of a percent so 4 decimals stay exact
    const exposed = Math.round(parsed.exposure * 10_000)
    const sum = weights.reduce((total, { weight }) => total + weight, 0)
    weights = weights.map(({ variant, weight }) => ({
      variant,
      weight: exposed * weight + (variant === control ? (1_000_000 - exposed) * sum : 0),
    }))
    const scaled = toSplitlaneWeights(
      weights.map(({ weight }) => weight),
      [...base, 'exposure'],
      createSilentReport(),
    )
    weights = weights.map(({ variant }, index) => ({ variant, weight: scaled[index]! }))
    report.warn(
      [...base, 'exposure'],
      `exposure ${parsed.exposure}%: exported as per-request shares, control "${control}" also takes the rest`,
    )
  }
  routes.push({ matches: null, weights })
  if (parsed.mode === 'sticky')
    report.warn([...base, 'mode'], 'sticky: the mesh splits each request on its own; a unit no longer keeps its variant')
  if (parsed.bucketBy.length > 0) report.warn([...base, 'bucketBy'], 'bucketBy has no mesh equivalent: not exported')
  if (Object.keys(parsed.overrides).length > 0)
    report.warn([...base, 'overrides'], 'overrides by unit key have no mesh equivalent: not exported')
  if (parsed.layer !== null) report.warn([...base, 'layer'], 'layers have no mesh equivalent: not exported')
  if (config.holdout.percent > 0) report.warn(['holdout'], 'the holdout has no mesh equivalent: not exported')
  return routes
}

function createSilentReport(): Report {
  return { warnings: [], warn: () => undefined, account: () => undefined }
}
