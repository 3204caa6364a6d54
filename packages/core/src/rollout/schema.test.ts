import { describe, expect, it } from 'vitest'
import { ErrorCode, SplitlaneConfigError } from '../errors.js'
import { startRollout, tickRollout } from './plan.js'
import { parseRolloutPlan, safeParseRolloutPlan } from './schema.js'
import type { RolloutPlan } from './types.js'

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'canary',
  baseline: 'stable',
  steps: [
    { setWeight: 5 },
    { pause: { durationMs: 60_000 } },
    {
      analysis: { intervalMs: 60_000, minRequests: 100, failureLimit: 0, judge: { passThreshold: 90, latency: { allowedIncrease: 1.2 } } },
    },
    { setWeight: 25 },
    { pause: {} },
  ],
  maxWeightChangePerMinute: 10,
  guardrails: { availability: 0.999, latency: { thresholdMs: 300, objective: 0.99 } },
}

const issuesOf = (input: unknown) => {
  const result = safeParseRolloutPlan(input)
  if (result.success) throw new Error('expected the plan to be rejected')
  return result.error.issues
}

describe('parseRolloutPlan', () => {
  it('accepts a full plan and returns it unchanged, usable by the rollout functions', () => {
    const parsed = parseRolloutPlan(JSON.parse(JSON.stringify(plan)))
    expect(parsed).toEqual(plan)
    const tick = tickRollout(parsed, startRollout(parsed, 0), 60_000)
    expect(tick.weights).toEqual({ stable: 950_000, canary: 50_000 })
  })

  it('accepts a plan with no steps (straight to 100%) and with only the required keys', () => {
    expect(parseRolloutPlan({ experiment: 'e', canary: 'b', baseline: 'a', steps: [] })).toEqual({
      experiment: 'e',
      canary: 'b',
      baseline: 'a',
      steps: [],
    })
  })

  it('throws a SplitlaneConfigError with code SPLITLANE_ERR_PLAN_INVALID listing every problem', () => {
    let error: unknown
    try {
      parseRolloutPlan({ experiment: 'checkout', canary: 'v2', baseline: 'v2', steps: [{ setWeight: 150 }] })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SplitlaneConfigError)
    const planError = error as SplitlaneConfigError
    expect(planError.code).toBe(ErrorCode.PlanInvalid)
    expect(planError.message).toBe(
      'Invalid rollout plan (2 problems):\n' +
        '  - steps[0].setWeight: expected a canary weight in percent 0..100 with at most 4 decimals, received 150\n' +
        '  - baseline: baseline "v2" is the canary too: name two different variants',
    )
  })

  it('reports each bad field with its full path and what was received', () => {
    expect(
      issuesOf({
        experiment: 'check out',
        canary: 'v2',
        baseline: 'v1',
        steps: [
          { pause: { durationMs: -1 } },
          { analysis: { count: 0, judge: { confidenceLevel: 1.5, passThreshold: 70, marginalThreshold: 80 } } },
        ],
        guardrails: { availability: 99.9 },
      }),
    ).toMatchObject([
      {
        path: 'experiment',
        message: `expected an experiment name: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, received "check out"`,
      },
      { path: 'steps[0].pause.durationMs', message: 'expected a duration in milliseconds >= 0, received -1' },
      { path: 'steps[1].analysis.count', message: 'expected an integer >= 1, received 0' },
      { path: 'steps[1].analysis.judge.confidenceLevel', message: 'expected a confidence level between 0 and 1 (exclusive), received 1.5' },
      { path: 'steps[1].analysis.judge.marginalThreshold', message: 'marginalThreshold 80 is above passThreshold 70' },
      { path: 'guardrails.availability', message: 'expected an availability objective between 0 and 1 (exclusive), received 99.9' },
    ])
  })

  it('suggests the nearest known key for a misspelt one, at every depth', () => {
    expect(
      issuesOf({
        experiment: 'e',
        canary: 'b',
        baseline: 'a',
        step: [],
        steps: [{ setweight: 5 }, { pause: { duration: 5 } }, { analysis: { minRequest: 5, judge: { latency: { tolerence: 0.1 } } } }],
      }),
    ).toMatchObject([
      { path: 'steps[0].setweight', message: 'unknown key "setweight" (did you mean "setWeight"?)' },
      { path: 'steps[0]', message: 'expected one of setWeight, pause or analysis' },
      { path: 'steps[1].pause.duration', message: 'unknown key "duration" (did you mean "durationMs"?)' },
      { path: 'steps[2].analysis.judge.latency.tolerence', message: 'unknown key "tolerence" (did you mean "tolerance"?)' },
      { path: 'steps[2].analysis.minRequest', message: 'unknown key "minRequest" (did you mean "minRequests"?)' },
      { path: 'step', message: 'unknown key "step" (did you mean "steps"?)' },
    ])
  })

  it('rejects a step with two kinds and a plan missing its names', () => {
    expect(issuesOf({ steps: [{ setWeight: 5, pause: {} }] })).toMatchObject([
      { path: 'experiment', message: expect.stringContaining('received nothing') as string },
      { path: 'canary', message: expect.stringContaining('received nothing') as string },
      { path: 'baseline', message: expect.stringContaining('received nothing') as string },
      { path: 'steps[0]', message: 'expected exactly one of setWeight, pause or analysis, found setWeight and pause' },
    ])
    expect(issuesOf('plan.yaml')).toMatchObject([{ path: '', message: 'expected a rollout plan object, received "plan.yaml"' }])
  })
})

describe('judge group weights', () => {
  it('rejects weights summing above 100: they are percent and the judge does not renormalize them (as Kayenta)', () => {
    const plan = (groupWeights: Record<string, number>) => ({
      experiment: 'e',
      canary: 'c',
      baseline: 'b',
      steps: [{ analysis: { judge: { groupWeights } } }],
    })
    expect(safeParseRolloutPlan(plan({ errors: 60, latency: 40 })).success).toBe(true)
    const result = safeParseRolloutPlan(plan({ errors: 60, latency: 60 }))
    expect(result.success).toBe(false)
    if (!result.success)
      expect(result.error.issues.map((issue) => [issue.path, issue.message])).toEqual([
        ['steps[0].analysis.judge.groupWeights', 'group weights sum to 120; they are percent and may not exceed 100'],
      ])
  })
})
