// Schema of the compatibility layouts (`layout: { compat: ... }`, src/compat/) and the checks that
// keep a config within what the named system can express, so the layout reproduces it exactly.
import * as z from 'zod/mini'
import { describeValue } from '../describe.js'
import { expected } from './fields.js'
const text = (what: string) => z.string(expected(what))
const nonEmpty = (what: string) => text(what).check(z.minLength(1, { error: `expected ${what}` }))

export const COMPAT_SYSTEMS = ['flagd', 'unleash', 'optimizely', 'growthbook'] as const

export const compatLayoutSchema = /* @__PURE__ */ (() =>
  z.discriminatedUnion(
    'compat',
    [
      z.strictObject({
        compat: z.literal('flagd'),
        seed: z.optional(text('a string')),
      }),
      z.strictObject({
        compat: z.literal('unleash'),
        groupId: z.optional(nonEmpty('a non-empty groupId')),
      }),
      z.strictObject({
        compat: z.literal('optimizely'),
        experimentId: nonEmpty('the Optimizely experiment id (a non-empty string)'),
      }),
      z.strictObject({
        compat: z.literal('growthbook'),
        seed: z.optional(nonEmpty('a non-empty seed')),
        hashVersion: z.optional(z.union([z.literal(1), z.literal(2)], expected('1 or 2'))),
      }),
    ],
    {
      error: (issue) =>
        `expected one of ${COMPAT_SYSTEMS.map((system) => `"${system}"`).join(', ')}, received ${describeValue((issue.input as { compat?: unknown } | undefined)?.compat)}`,
    },
  ))()

/** For an object layout that matched no option: the compat layout's own first problem, with its field. */
export function compatProblem(issue: { input?: unknown }): string | undefined {
  if (typeof issue.input !== 'object' || issue.input === null) return undefined
  const inner = (issue as { errors?: { path: PropertyKey[]; message: string }[][] }).errors?.[1]?.[0]
  if (inner === undefined) return undefined
  return inner.path.length === 0 ? inner.message : `${inner.path.map(String).join('.')}: ${inner.message}`
}

/** `params.check` names the check: it becomes the issue's stable `code` (see ConfigIssue), the rest its `params`. */
type Refinement = {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string; params: { check: string } & Record<string, unknown> }): void
}

const weightSum = (weights: unknown[]) => weights.reduce<number>((sum, weight) => sum + (typeof weight === 'number' ? weight : 1), 0)

/** Checks an experiment with a compat layout against what that system can express. */
export function crossCheckCompat(input: unknown, ctx: Refinement): void {
  const experiment = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>
  const layout = experiment.layout as { compat?: unknown } | undefined
  if (typeof layout !== 'object' || layout === null || typeof layout.compat !== 'string') return
  const system = layout.compat
  if (experiment.mode === 'random')
    ctx.addIssue({
      code: 'custom',
      path: ['mode'],
      params: { check: 'compat_not_sticky', system },
      message: `layout compat "${system}" buckets by key: mode must be "sticky"`,
    })
  const weights = (Array.isArray(experiment.variants) ? experiment.variants : []).map(
    (variant) => (variant as { weight?: unknown } | null)?.weight,
  )
  const rules = (Array.isArray(experiment.rules) ? experiment.rules : []) as { exposure?: unknown }[]
  if (system === 'flagd' || system === 'optimizely') {
    const why = `${system} has no exposure: ${system === 'flagd' ? 'give the units left out to a variant' : 'leave part of the 10,000 unallocated instead'}`
    if (experiment.exposure !== undefined && experiment.exposure !== 100)
      ctx.addIssue({
        code: 'custom',
        path: ['exposure'],
        params: { check: 'compat_exposure', system },
        message: `exposure must be 100 with layout compat "${system}" (${why})`,
      })
    rules.forEach((rule, index) => {
      if (typeof rule === 'object' && rule !== null && rule.exposure !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'exposure'],
          params: { check: 'compat_exposure', system },
          message: `exposure rules do not apply to layout compat "${system}" (${why})`,
        })
    })
  }
  if (system === 'optimizely' && weightSum(weights) > 10_000)
    ctx.addIssue({
      code: 'custom',
      path: ['variants'],
      params: { check: 'compat_weight_sum', system, sum: weightSum(weights), min: 0, max: 10_000 },
      message: `with layout compat "optimizely" weights are traffic allocation in 1/10,000 and must sum to at most 10,000 (they sum to ${weightSum(weights)})`,
    })
  const sum = weightSum(weights)
  if (system === 'growthbook' && weights.length >= 2 && (sum < 990_000 || sum > 1_010_000))
    ctx.addIssue({
      code: 'custom',
      path: ['variants'],
      params: { check: 'compat_weight_sum', system, sum, min: 990_000, max: 1_010_000 },
      message: `with layout compat "growthbook" weights are GrowthBook's weights x 1,000,000 and must sum to 990,000..1,010,000 (they sum to ${sum}; GrowthBook would split equally)`,
    })
}
