// Schema of a rollout plan (plain JSON, e.g. read from a file or converted from an Argo Rollout):
// every problem is reported with its path, as for the config.
import * as z from 'zod'
import { describeValue } from '../describe.js'
import { toIssues } from '../config/parse.js'
import { NAME_PATTERN } from '../config/schema.js'
import { percentage } from '../config/targeting-schema.js'
import { SplitlaneConfigError } from '../errors.js'
import type { AnalysisStepOptions, RolloutPlan } from './types.js'

const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, received ${describeValue(issue.input)}`,
})

const name = (what: string) => {
  const message = expected(`${what}: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return z.string(message).regex(NAME_PATTERN, message)
}

const count = (least: number) => {
  const message = expected(`an integer >= ${least}`)
  return z.number(message).int(message).min(least, message)
}

const positive = (what = 'a number > 0') => {
  const message = expected(what)
  return z.number(message).positive(message).finite(message)
}

const milliseconds = () => {
  const message = expected('a duration in milliseconds >= 0')
  return z.number(message).min(0, message).finite(message)
}

/** Strictly between 0 and 1: an objective or a confidence level. */
const fraction = (what: string) => {
  const message = expected(`${what} between 0 and 1 (exclusive)`)
  return z.number(message).gt(0, message).lt(1, message)
}

const score = () => {
  const message = expected('a score 0..100')
  return z.number(message).min(0, message).max(100, message)
}

/**
 * The plan's object shapes, built on first use rather than when the module loads: a bundle that
 * never parses a plan drops them all (the package is `sideEffects: false`).
 */
function buildShapes() {
  const metricShape = {
    name: z.string(expected('a string')).min(1, { error: 'expected a non-empty name' }).optional(),
    direction: z.enum(['increase', 'decrease', 'either'], expected('"increase", "decrease" or "either"')).optional(),
    groups: z.array(z.string(expected('a group name')), expected('an array of group names')).optional(),
    critical: z.boolean(expected('true or false')).optional(),
    required: z.boolean(expected('true or false')).optional(),
    allowedIncrease: positive('a mean ratio > 0').optional(),
    allowedDecrease: positive('a mean ratio > 0').optional(),
    criticalIncrease: positive('a mean ratio > 0').optional(),
    criticalDecrease: positive('a mean ratio > 0').optional(),
  }

  const continuousShape = {
    ...metricShape,
    tolerance: z.number(expected('a fraction >= 0')).min(0, expected('a fraction >= 0')).optional(),
    nanStrategy: z.enum(['remove', 'replace'], expected('"remove" or "replace"')).optional(),
    outliers: z.enum(['keep', 'remove'], expected('"keep" or "remove"')).optional(),
    outlierFactor: positive().optional(),
  }

  const finite = () => z.number(expected('a finite number')).finite(expected('a finite number'))
  const samples = z.union(
    [z.array(finite()), z.array(z.strictObject({ value: finite(), count: count(0) }))],
    expected('an array of numbers or of { value, count }'),
  )
  const proportion = z.strictObject({ events: count(0), total: count(0) })

  const extraMetric = z.union(
    [
      z.strictObject({
        ...continuousShape,
        name: z.string(expected('a string')),
        kind: z.literal('continuous').optional(),
        canary: samples,
        baseline: samples,
      }),
      z.strictObject({
        ...metricShape,
        name: z.string(expected('a string')),
        kind: z.literal('proportion'),
        canary: proportion,
        baseline: proportion,
      }),
    ],
    expected('a metric: { name, canary, baseline } with samples, or with kind "proportion" and { events, total }'),
  )

  const judgeShape = {
    errorRate: z.union([z.literal(false), z.strictObject(metricShape)], expected('false or error-rate metric settings')).optional(),
    latency: z.union([z.literal(false), z.strictObject(continuousShape)], expected('false or latency metric settings')).optional(),
    events: z.record(name('an event name'), z.strictObject(metricShape), expected('an object mapping event names to settings')).optional(),
    series: z
      .record(
        name('a series metric name'),
        z.union([z.literal(false), z.strictObject(continuousShape)], expected('false or series metric settings')),
        expected('an object mapping fleet series metric names to settings'),
      )
      .optional(),
    extra: z.array(extraMetric, expected('an array of metrics')).optional(),
    confidenceLevel: fraction('a confidence level').optional(),
    groupWeights: z.record(z.string(), score(), expected('an object mapping group names to weights 0..100')).optional(),
    passThreshold: score().optional(),
    marginalThreshold: score().optional(),
  }

  const analysisShape = {
    intervalMs: positive('an interval in milliseconds > 0').optional(),
    count: count(1).optional(),
    minRequests: count(0).optional(),
    failureLimit: count(0).optional(),
    inconclusiveLimit: count(0).optional(),
    srm: z.boolean(expected('true or false')).optional(),
    judge: z
      .strictObject(judgeShape, expected('an object of judge settings'))
      .superRefine((judge, ctx) => {
        if (judge.passThreshold !== undefined && judge.marginalThreshold !== undefined && judge.marginalThreshold > judge.passThreshold)
          ctx.addIssue({
            code: 'custom',
            path: ['marginalThreshold'],
            message: `marginalThreshold ${judge.marginalThreshold} is above passThreshold ${judge.passThreshold}`,
          })
        // Weights are percent and not renormalized (as in Kayenta): above 100 the score could exceed 100.
        const weightSum = Object.values(judge.groupWeights ?? {}).reduce((sum, weight) => sum + weight, 0)
        if (weightSum > 100)
          ctx.addIssue({
            code: 'custom',
            path: ['groupWeights'],
            message: `group weights sum to ${weightSum}; they are percent and may not exceed 100`,
          })
      })
      .optional(),
  }

  const pauseShape = { durationMs: milliseconds().optional() }

  const stepShape = {
    setWeight: percentage('a canary weight in percent 0..100 with at most 4 decimals').optional(),
    pause: z.strictObject(pauseShape, expected('an object like { durationMs }')).optional(),
    analysis: z.strictObject(analysisShape, expected('an object of analysis settings')).optional(),
  }

  const STEP_KINDS = Object.keys(stepShape)

  const step = z.strictObject(stepShape, expected('a step: { setWeight }, { pause } or { analysis }')).superRefine((value, ctx) => {
    const kinds = STEP_KINDS.filter((kind) => kind in value)
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          kinds.length === 0
            ? 'expected one of setWeight, pause or analysis'
            : `expected exactly one of setWeight, pause or analysis, found ${kinds.join(' and ')}`,
      })
  })

  const alertShape = {
    longWindowMs: positive('a window in milliseconds > 0'),
    shortWindowMs: positive('a window in milliseconds > 0'),
    factor: positive('a burn rate > 0'),
    severity: z.string(expected('a string')).optional(),
  }

  const latencyObjectiveShape = { thresholdMs: positive('a latency in milliseconds > 0'), objective: fraction('an objective') }

  const guardrailShape = {
    availability: fraction('an availability objective').optional(),
    latency: z.strictObject(latencyObjectiveShape, expected('an object like { thresholdMs, objective }')).optional(),
    alerts: z.array(z.strictObject(alertShape, expected('an alert')), expected('an array of alerts')).optional(),
    minRequests: count(0).optional(),
  }

  const planShape = {
    experiment: name('an experiment name'),
    canary: name('a variant name'),
    baseline: name('a variant name'),
    steps: z.array(step, expected('an array of steps')),
    maxWeightChangePerMinute: positive('percentage points per minute > 0').optional(),
    guardrails: z.strictObject(guardrailShape, expected('an object of guardrails')).optional(),
    bucketMs: positive('a bucket size in milliseconds > 0').optional(),
  }

  return {
    metricShape,
    continuousShape,
    judgeShape,
    analysisShape,
    pauseShape,
    stepShape,
    STEP_KINDS,
    alertShape,
    latencyObjectiveShape,
    guardrailShape,
    planShape,
  }
}

let shapes: ReturnType<typeof buildShapes> | undefined
const shapesOnce = () => (shapes ??= buildShapes())

/** The rollout plan schema (zod). `parseRolloutPlan` and `safeParseRolloutPlan` use it. */
export const rolloutPlanSchema = /* @__PURE__ */ (() =>
  z.strictObject(shapesOnce().planShape, expected('a rollout plan object')).superRefine((plan, ctx) => {
    if (plan.canary === plan.baseline)
      ctx.addIssue({
        code: 'custom',
        path: ['baseline'],
        message: `baseline "${plan.baseline}" is the canary too: name two different variants`,
      })
  }))()

const keys = (shape: object) => Object.keys(shape)

/** The keys of the object at `path`, for "did you mean" on unknown keys. */
function planKnownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  const {
    planShape,
    STEP_KINDS,
    pauseShape,
    analysisShape,
    judgeShape,
    metricShape,
    continuousShape,
    guardrailShape,
    latencyObjectiveShape,
    alertShape,
  } = shapesOnce()
  const at = path.filter((segment) => typeof segment === 'string')
  const last = at[at.length - 1]
  const parent = at[at.length - 2]
  if (path.length === 0) return keys(planShape)
  if (path.length === 2 && last === 'steps') return STEP_KINDS
  if (last === 'pause') return keys(pauseShape)
  if (last === 'analysis') return keys(analysisShape)
  if (last === 'judge') return keys(judgeShape)
  if (last === 'errorRate' || parent === 'events') return keys(metricShape)
  if (last === 'latency' && parent === 'judge') return keys(continuousShape)
  if (last === 'extra') return [...keys(continuousShape), 'kind', 'canary', 'baseline']
  if (last === 'guardrails') return keys(guardrailShape)
  if (last === 'latency') return keys(latencyObjectiveShape)
  if (last === 'alerts') return keys(alertShape)
  return []
}

/** Removes keys whose value is `undefined`, so the plan is plain JSON as written. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .map(([key, entry]) => [key, plain(entry)]),
  )
}

export type SafeParseRolloutPlanResult = { success: true; data: RolloutPlan } | { success: false; error: SplitlaneConfigError }

/** Validates a rollout plan. Never throws; collects every problem with its path (code `SPLITLANE_ERR_PLAN_INVALID`). */
export function safeParseRolloutPlan(input: unknown): SafeParseRolloutPlanResult {
  const result = rolloutPlanSchema.safeParse(input)
  if (!result.success) return { success: false, error: new SplitlaneConfigError(toIssues(result.error.issues, planKnownKeysAt), 'plan') }
  // The schema reads a step as an object with one of three optional keys (for clearer errors); the
  // refinement made sure exactly one is present, so every step is a `RolloutStep`.
  const { steps, ...rest } = result.data
  const checked: Omit<RolloutPlan, 'steps'> & {
    steps: { setWeight?: number; pause?: { durationMs?: number }; analysis?: AnalysisStepOptions }[]
  } = { ...rest, steps }
  return { success: true, data: plain(checked) as RolloutPlan }
}

/** Validates a rollout plan; throws `SplitlaneConfigError` (code `SPLITLANE_ERR_PLAN_INVALID`) listing every problem with its path. */
export function parseRolloutPlan(input: unknown): RolloutPlan {
  const result = safeParseRolloutPlan(input)
  if (!result.success) throw result.error
  return result.data
}
