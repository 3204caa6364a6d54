// Schema of a rollout plan (plain JSON, e.g. read from a file or converted from an Argo Rollout):
// every problem is reported with its path, as for the config.
import * as z from 'zod/mini'
import { englishFallback } from '../config/english.js'
import { toIssues } from '../config/parse.js'
import { expected, nameOf as name, percentage } from '../config/fields.js'
import { SplitlaneConfigError } from '../errors.js'
import type { AnalysisStepOptions, RolloutPlan } from './types.js'

const count = (least: number) => {
  const message = expected(`an integer >= ${least}`)
  return z.int(message).check(z.minimum(least, message))
}

const positive = (what = 'a number > 0') => {
  const message = expected(what)
  return z.number(message).check(z.positive(message))
}

const milliseconds = () => {
  const message = expected('a duration in milliseconds >= 0')
  return z.number(message).check(z.minimum(0, message))
}

/** Strictly between 0 and 1: an objective or a confidence level. */
const fraction = (what: string) => {
  const message = expected(`${what} between 0 and 1 (exclusive)`)
  return z.number(message).check(z.gt(0, message), z.lt(1, message))
}

const score = () => {
  const message = expected('a score 0..100')
  return z.number(message).check(z.minimum(0, message), z.maximum(100, message))
}

/**
 * The plan's object shapes, built on first use rather than when the module loads: a bundle that
 * never parses a plan drops them all (the package is `sideEffects: false`).
 */
function buildShapes() {
  const metricShape = {
    name: z.optional(z.string(expected('a string')).check(z.minLength(1, { error: 'expected a non-empty name' }))),
    direction: z.optional(z.enum(['increase', 'decrease', 'either'], expected('"increase", "decrease" or "either"'))),
    groups: z.optional(z.array(z.string(expected('a group name')), expected('an array of group names'))),
    critical: z.optional(z.boolean(expected('true or false'))),
    required: z.optional(z.boolean(expected('true or false'))),
    allowedIncrease: z.optional(positive('a mean ratio > 0')),
    allowedDecrease: z.optional(positive('a mean ratio > 0')),
    criticalIncrease: z.optional(positive('a mean ratio > 0')),
    criticalDecrease: z.optional(positive('a mean ratio > 0')),
  }

  const continuousShape = {
    ...metricShape,
    tolerance: z.optional(z.number(expected('a fraction >= 0')).check(z.minimum(0, expected('a fraction >= 0')))),
    nanStrategy: z.optional(z.enum(['remove', 'replace'], expected('"remove" or "replace"'))),
    outliers: z.optional(z.enum(['keep', 'remove'], expected('"keep" or "remove"'))),
    outlierFactor: z.optional(positive()),
  }

  const finite = () => z.number(expected('a finite number'))
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
        kind: z.optional(z.literal('continuous')),
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
    errorRate: z.optional(z.union([z.literal(false), z.strictObject(metricShape)], expected('false or error-rate metric settings'))),
    latency: z.optional(z.union([z.literal(false), z.strictObject(continuousShape)], expected('false or latency metric settings'))),
    events: z.optional(z.record(name('an event name'), z.strictObject(metricShape), expected('an object mapping event names to settings'))),
    series: z.optional(
      z.record(
        name('a series metric name'),
        z.union([z.literal(false), z.strictObject(continuousShape)], expected('false or series metric settings')),
        expected('an object mapping fleet series metric names to settings'),
      ),
    ),
    extra: z.optional(z.array(extraMetric, expected('an array of metrics'))),
    confidenceLevel: z.optional(fraction('a confidence level')),
    groupWeights: z.optional(z.record(z.string(), score(), expected('an object mapping group names to weights 0..100'))),
    passThreshold: z.optional(score()),
    marginalThreshold: z.optional(score()),
  }

  const analysisShape = {
    intervalMs: z.optional(positive('an interval in milliseconds > 0')),
    count: z.optional(count(1)),
    minRequests: z.optional(count(0)),
    failureLimit: z.optional(count(0)),
    inconclusiveLimit: z.optional(count(0)),
    srm: z.optional(z.boolean(expected('true or false'))),
    judge: z.optional(
      z.strictObject(judgeShape, expected('an object of judge settings')).check(
        z.superRefine((judge: { passThreshold?: number; marginalThreshold?: number; groupWeights?: Record<string, number> }, ctx) => {
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
        }),
      ),
    ),
  }

  const pauseShape = { durationMs: z.optional(milliseconds()) }

  const stepShape = {
    setWeight: z.optional(percentage('a canary weight in percent 0..100 with at most 4 decimals')),
    pause: z.optional(z.strictObject(pauseShape, expected('an object like { durationMs }'))),
    analysis: z.optional(z.strictObject(analysisShape, expected('an object of analysis settings'))),
  }

  const STEP_KINDS = Object.keys(stepShape)

  const step = z.strictObject(stepShape, expected('a step: { setWeight }, { pause } or { analysis }')).check(
    z.superRefine((value: object, ctx) => {
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
    }),
  )

  const alertShape = {
    longWindowMs: positive('a window in milliseconds > 0'),
    shortWindowMs: positive('a window in milliseconds > 0'),
    factor: positive('a burn rate > 0'),
    severity: z.optional(z.string(expected('a string'))),
  }

  const latencyObjectiveShape = { thresholdMs: positive('a latency in milliseconds > 0'), objective: fraction('an objective') }

  const guardrailShape = {
    availability: z.optional(fraction('an availability objective')),
    latency: z.optional(z.strictObject(latencyObjectiveShape, expected('an object like { thresholdMs, objective }'))),
    alerts: z.optional(z.array(z.strictObject(alertShape, expected('an alert')), expected('an array of alerts'))),
    minRequests: z.optional(count(0)),
  }

  const planShape = {
    experiment: name('an experiment name'),
    canary: name('a variant name'),
    baseline: name('a variant name'),
    steps: z.array(step, expected('an array of steps')),
    maxWeightChangePerMinute: z.optional(positive('percentage points per minute > 0')),
    guardrails: z.optional(z.strictObject(guardrailShape, expected('an object of guardrails'))),
    bucketMs: z.optional(positive('a bucket size in milliseconds > 0')),
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
  z.strictObject(shapesOnce().planShape, expected('a rollout plan object')).check(
    z.superRefine((plan: { canary: string; baseline: string }, ctx) => {
      if (plan.canary === plan.baseline)
        ctx.addIssue({
          code: 'custom',
          path: ['baseline'],
          message: `baseline "${plan.baseline}" is the canary too: name two different variants`,
        })
    }),
  ))()

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
  const result = rolloutPlanSchema.safeParse(input, englishFallback())
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
