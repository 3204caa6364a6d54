// The canary judge: Kayenta's NetflixACAJudge re-derived. Each metric is classified High / Low /
// Pass / Nodata (Mann-Whitney U for continuous metrics, a two-proportion test for rates), metrics
// are scored by group with weights, critical metrics force 0, and the score maps onto
// Pass / Marginal / Fail. Every result says why, in numbers and in words.
import { mannWhitney } from './mann-whitney.js'
import { twoProportionTest } from './proportion.js'
import { groupedMean, groupedQuantile, groupSamples, type Grouped } from './samples.js'
import type {
  ContinuousMetricSpec,
  Direction,
  GroupScore,
  JudgeOptions,
  JudgeResult,
  MetricClass,
  MetricResult,
  MetricSpec,
  ProportionMetricSpec,
  Verdict,
} from './types.js'

export const JUDGE_DEFAULTS = {
  confidenceLevel: 0.98,
  tolerance: 0.25,
  allowedIncrease: 1,
  allowedDecrease: 1,
  outlierFactor: 3,
  passThreshold: 95,
  marginalThreshold: 75,
} as const

/** Short, stable number formatting for explanations. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞'
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  if (magnitude < 1e-3 || magnitude >= 1e6) return value.toExponential(2)
  return String(Number(value.toPrecision(4)))
}

const percent = (level: number) => `${formatNumber(level * 100)}%`

function preprocess(
  spec: ContinuousMetricSpec,
  samples: ContinuousMetricSpec['canary'],
): { grouped: Grouped; nan: number; outliers: number } {
  let nan = 0
  const pairs: { value: number; count: number }[] = []
  for (const sample of samples as readonly (number | { value: number; count: number })[]) {
    const pair = typeof sample === 'number' ? { value: sample, count: 1 } : { value: sample.value, count: sample.count }
    if (!Number.isFinite(pair.value)) {
      nan += pair.count
      if (spec.nanStrategy !== 'replace') continue
      pair.value = 0
    }
    pairs.push(pair)
  }
  let grouped = groupSamples(pairs)
  let outliers = 0
  if (spec.outliers === 'remove' && grouped.total > 0) {
    const q1 = groupedQuantile(grouped, 0.25)
    const q3 = groupedQuantile(grouped, 0.75)
    const spread = (spec.outlierFactor ?? JUDGE_DEFAULTS.outlierFactor) * (q3 - q1)
    if (spread > 0) {
      const kept = pairs.filter((pair) => pair.value >= q1 - spread && pair.value <= q3 + spread)
      const next = groupSamples(kept)
      outliers = grouped.total - next.total
      grouped = next
    }
  }
  return { grouped, nan, outliers }
}

function meanRatio(canary: number, baseline: number): number {
  if (baseline === 0) return canary === 0 ? 1 : canary > 0 ? Infinity : -Infinity
  return canary / baseline
}

const sameSamples = (a: Grouped, b: Grouped) =>
  a.values.length === b.values.length && a.values.every((value, i) => value === b.values[i] && a.counts[i] === b.counts[i])

interface Decision {
  class: MetricClass
  criticalFailure: boolean
  why: string
}

function decide(
  spec: MetricSpec,
  direction: Direction,
  shiftedUp: boolean,
  shiftedDown: boolean,
  effect: number,
  significance: string,
): Decision {
  const allowedIncrease = spec.allowedIncrease ?? JUDGE_DEFAULTS.allowedIncrease
  const allowedDecrease = spec.allowedDecrease ?? JUDGE_DEFAULTS.allowedDecrease
  const ratio = `${spec.kind === 'proportion' ? 'rate' : 'mean'} ratio ${formatNumber(effect)}`
  if (direction !== 'decrease' && shiftedUp) {
    if (effect >= allowedIncrease) {
      const beyond = spec.criticalIncrease !== undefined && effect >= spec.criticalIncrease
      const criticalFailure = spec.critical === true || beyond
      const critical = beyond
        ? `, at or above the critical ${formatNumber(spec.criticalIncrease)}`
        : spec.critical
          ? ' (critical metric)'
          : ''
      return {
        class: 'High',
        criticalFailure,
        why: `higher: ${significance}, ${ratio} >= allowed ${formatNumber(allowedIncrease)}${critical}`,
      }
    }
    return {
      class: 'Pass',
      criticalFailure: false,
      why: `higher but within the allowed effect: ${ratio} < ${formatNumber(allowedIncrease)}`,
    }
  }
  if (direction !== 'increase' && shiftedDown) {
    if (effect <= allowedDecrease) {
      const beyond = spec.criticalDecrease !== undefined && effect <= spec.criticalDecrease
      const criticalFailure = spec.critical === true || beyond
      const critical = beyond
        ? `, at or below the critical ${formatNumber(spec.criticalDecrease)}`
        : spec.critical
          ? ' (critical metric)'
          : ''
      return {
        class: 'Low',
        criticalFailure,
        why: `lower: ${significance}, ${ratio} <= allowed ${formatNumber(allowedDecrease)}${critical}`,
      }
    }
    return {
      class: 'Pass',
      criticalFailure: false,
      why: `lower but within the allowed effect: ${ratio} > ${formatNumber(allowedDecrease)}`,
    }
  }
  const ignored = shiftedUp ? ' (an increase, which this metric ignores)' : shiftedDown ? ' (a decrease, which this metric ignores)' : ''
  return { class: 'Pass', criticalFailure: false, why: `no significant change in the ${direction} direction${ignored}, ${ratio}` }
}

function noData(spec: MetricSpec, result: Omit<MetricResult, 'class' | 'criticalFailure' | 'reason'>, what: string): MetricResult {
  // As in Kayenta's MannWhitneyClassifier: a critical metric without data forces the score to 0.
  const criticalFailure = spec.critical === true
  return { ...result, class: 'Nodata', criticalFailure, reason: `no data: ${what}${spec.required ? ' (required metric)' : ''}` }
}

function classifyContinuous(spec: ContinuousMetricSpec, confidenceLevel: number): MetricResult {
  const direction = spec.direction ?? 'either'
  const canary = preprocess(spec, spec.canary)
  const baseline = preprocess(spec, spec.baseline)
  const base = {
    name: spec.name,
    kind: 'continuous' as const,
    direction,
    groups: [...(spec.groups ?? ['default'])],
    canary: { count: canary.grouped.total, mean: canary.grouped.total > 0 ? groupedMean(canary.grouped) : null },
    baseline: { count: baseline.grouped.total, mean: baseline.grouped.total > 0 ? groupedMean(baseline.grouped) : null },
    removed: { nan: canary.nan + baseline.nan, outliers: canary.outliers + baseline.outliers },
  }
  const empty = { test: 'none' as const, statistic: null, interval: null, estimate: null, effectSize: null }
  if (canary.grouped.total === 0 || baseline.grouped.total === 0)
    return noData(spec, { ...base, ...empty }, canary.grouped.total === 0 ? 'the canary has no samples' : 'the baseline has no samples')
  if (sameSamples(canary.grouped, baseline.grouped))
    return { ...base, ...empty, effectSize: 1, class: 'Pass', criticalFailure: false, reason: 'canary and baseline samples are identical' }
  const test = mannWhitney(
    canary.grouped.values.map((value, i) => ({ value, count: canary.grouped.counts[i]! })),
    baseline.grouped.values.map((value, i) => ({ value, count: baseline.grouped.counts[i]! })),
    confidenceLevel,
  )!
  const effect = meanRatio(base.canary.mean!, base.baseline.mean!)
  const bound = (spec.tolerance ?? JUDGE_DEFAULTS.tolerance) * Math.abs(test.estimate)
  const interval = `${percent(confidenceLevel)} CI of the shift (${formatNumber(test.lower)}, ${formatNumber(test.upper)})`
  const shiftedUp = test.lower > bound
  const shiftedDown = test.upper < -bound
  const significance = `the ${interval} clears ±${formatNumber(bound)} (tolerance × |estimate|)`
  const decision = decide(spec, direction, shiftedUp, shiftedDown, effect, significance)
  return {
    ...base,
    test: 'mann-whitney',
    statistic: { u: test.u, z: test.z, pValue: test.pValue },
    interval: { lower: test.lower, upper: test.upper, confidenceLevel },
    estimate: test.estimate,
    effectSize: effect,
    class: decision.class,
    criticalFailure: decision.criticalFailure,
    reason: decision.why,
  }
}

function classifyProportion(spec: ProportionMetricSpec, confidenceLevel: number): MetricResult {
  const direction = spec.direction ?? 'increase'
  const rate = (side: { events: number; total: number }) => (side.total > 0 ? side.events / side.total : null)
  const base = {
    name: spec.name,
    kind: 'proportion' as const,
    direction,
    groups: [...(spec.groups ?? ['default'])],
    canary: { count: spec.canary.total, mean: rate(spec.canary) },
    baseline: { count: spec.baseline.total, mean: rate(spec.baseline) },
    removed: { nan: 0, outliers: 0 },
  }
  const test = twoProportionTest(spec.canary, spec.baseline, confidenceLevel)
  if (test === undefined)
    return noData(
      spec,
      { ...base, test: 'none', statistic: null, interval: null, estimate: null, effectSize: null },
      spec.canary.total > 0 ? 'the baseline has no requests' : 'the canary has no requests',
    )
  const effect = meanRatio(test.canaryRate, test.baselineRate)
  const rates = `${spec.canary.events}/${spec.canary.total} (${formatNumber(test.canaryRate * 100)}%) vs ${spec.baseline.events}/${spec.baseline.total} (${formatNumber(test.baselineRate * 100)}%)`
  const significance = `${rates}, p = ${formatNumber(test.pValue)} < ${formatNumber(1 - confidenceLevel)}`
  const decision = decide(spec, direction, test.significant === 'higher', test.significant === 'lower', effect, significance)
  return {
    ...base,
    test: 'two-proportion',
    statistic: { z: test.z, pValue: test.pValue },
    interval: { lower: test.lower, upper: test.upper, confidenceLevel },
    estimate: test.difference,
    effectSize: effect,
    class: decision.class,
    criticalFailure: decision.criticalFailure,
    reason: test.significant ? decision.why : `${decision.why}: ${rates}`,
  }
}

/** Classifies one metric. */
export function classifyMetric(spec: MetricSpec, confidenceLevel: number = JUDGE_DEFAULTS.confidenceLevel): MetricResult {
  return spec.kind === 'proportion' ? classifyProportion(spec, confidenceLevel) : classifyContinuous(spec, confidenceLevel)
}

/** Kayenta's `NODATA_THRESHOLD`: when this percent or more of the metrics have no data, the score is 0. */
export const NODATA_THRESHOLD = 50

/**
 * Kayenta's WeightedSumScorer: per group, the percent of its metrics that passed (Nodata left out
 * unless required); the summary is the sum of group score × weight / 100, rounded to 2 decimals.
 * Weights are not renormalized: groups without a weight share what the given weights leave of 100,
 * and weights that do not reach 100 cap the score. A group without any data counts as 100.
 */
export function scoreGroups(
  metrics: readonly MetricResult[],
  groupWeights: Readonly<Record<string, number>> = {},
  required: ReadonlySet<string> = new Set(),
): { groups: GroupScore[]; score: number | null; totalWeight: number } {
  const byGroup = new Map<string, MetricResult[]>()
  for (const metric of metrics) for (const group of metric.groups) byGroup.set(group, [...(byGroup.get(group) ?? []), metric])
  const weightOf = new Map(Object.entries(groupWeights))
  // As in Kayenta, every configured weight counts, also one naming a group without metrics.
  const given = [...weightOf.values()].reduce((sum, weight) => sum + weight, 0)
  const unweighted = [...byGroup.keys()].filter((name) => !weightOf.has(name))
  const share = unweighted.length > 0 ? Math.max(0, 100 - given) / unweighted.length : 0
  const groups: GroupScore[] = [...byGroup].map(([name, list]) => {
    const counts: Record<MetricClass, number> = { High: 0, Low: 0, Pass: 0, Nodata: 0 }
    for (const metric of list) counts[metric.class]++
    const requiredMissing = list.filter((metric) => metric.class === 'Nodata' && required.has(metric.name)).length
    const scored = counts.High + counts.Low + counts.Pass + requiredMissing
    return { name, weight: weightOf.get(name) ?? share, score: scored === 0 ? null : (counts.Pass / scored) * 100, counts }
  })
  const totalWeight = groups.reduce((sum, group) => sum + group.weight, 0)
  if (groups.every((group) => group.score === null)) return { groups, score: null, totalWeight }
  const sum = groups.reduce((total, group) => total + (group.score ?? 100) * (group.weight / 100), 0)
  return { groups, score: Math.round(sum * 100) / 100, totalWeight }
}

function describeMetric(metric: MetricResult): string {
  const parts: string[] = []
  const side = (label: string, summary: { count: number; mean: number | null }) =>
    `${label} n=${summary.count} mean ${formatNumber(summary.mean)}`
  if (metric.kind === 'continuous') parts.push(`${side('canary', metric.canary)}, ${side('baseline', metric.baseline)}`)
  if (metric.statistic !== null) {
    const u = metric.test === 'mann-whitney' ? `U = ${formatNumber(metric.statistic.u)}, ` : ''
    parts.push(`${u}z = ${formatNumber(metric.statistic.z)}, p = ${formatNumber(metric.statistic.pValue)}`)
  }
  if (metric.interval !== null)
    parts.push(
      `${percent(metric.interval.confidenceLevel)} CI (${formatNumber(metric.interval.lower)}, ${formatNumber(metric.interval.upper)}), estimate ${formatNumber(metric.estimate)}`,
    )
  parts.push(`effect size ${formatNumber(metric.effectSize)}`)
  if (metric.removed.nan + metric.removed.outliers > 0) parts.push(`removed ${metric.removed.nan} NaN, ${metric.removed.outliers} outliers`)
  return `${metric.name}: ${metric.class}${metric.criticalFailure ? ' (CRITICAL)' : ''}: ${metric.reason} [${parts.join('; ')}]`
}

/** Judges a canary against its baseline over the given metrics. Pure; never throws on data. */
export function judgeCanary(metrics: readonly MetricSpec[], options: JudgeOptions = {}): JudgeResult {
  const confidenceLevel = options.confidenceLevel ?? JUDGE_DEFAULTS.confidenceLevel
  const pass = options.passThreshold ?? JUDGE_DEFAULTS.passThreshold
  const marginal = options.marginalThreshold ?? JUDGE_DEFAULTS.marginalThreshold
  const results = metrics.map((spec) => classifyMetric(spec, confidenceLevel))
  const required = new Set(metrics.filter((spec) => spec.required).map((spec) => spec.name))
  const { groups, score, totalWeight } = scoreGroups(results, options.groupWeights, required)
  const critical = results.filter((metric) => metric.criticalFailure)
  // Kayenta counts plain Nodata only; a required metric without data already fails its group.
  const missing = results.filter((metric) => metric.class === 'Nodata' && !required.has(metric.name))
  let verdict: Verdict
  let reason: string
  let finalScore = 0
  if (critical.length > 0) {
    verdict = 'Fail'
    reason = `critical failure: ${critical.map((metric) => `${metric.name} ${metric.class}`).join(', ')} forces the score to 0`
  } else if (results.length === 0 || (missing.length / results.length) * 100 >= NODATA_THRESHOLD) {
    // Kayenta scores this 0 and so classifies it Fail. splitlane says Nodata (a rollout counts it
    // inconclusive): missing data is a gap in what is measured, not evidence against the canary.
    verdict = 'Nodata'
    reason =
      results.length === 0
        ? 'no metrics to judge'
        : `${NODATA_THRESHOLD}% or more of the metrics had no data (${missing.length} of ${results.length}: ${missing.map((metric) => metric.name).join(', ')}), so the score is 0`
  } else {
    finalScore = score ?? 0
    verdict = finalScore >= pass ? 'Pass' : finalScore >= marginal ? 'Marginal' : 'Fail'
    const comparison =
      verdict === 'Pass' ? `>= pass ${pass}` : verdict === 'Marginal' ? `>= marginal ${marginal}, < pass ${pass}` : `< marginal ${marginal}`
    const capped =
      Math.abs(totalWeight - 100) > 1e-9 ? ` (group weights sum to ${formatNumber(totalWeight)}, not 100; not renormalized)` : ''
    reason = `score ${formatNumber(finalScore)} ${comparison}${capped}`
  }
  const groupLine = groups.map((group) => `${group.name} ${formatNumber(group.score)} (weight ${formatNumber(group.weight)})`).join(', ')
  return {
    score: finalScore,
    verdict,
    reason,
    groups,
    metrics: results,
    explanation: [...results.map(describeMetric), `verdict ${verdict}: ${reason}; groups: ${groupLine}`],
  }
}
