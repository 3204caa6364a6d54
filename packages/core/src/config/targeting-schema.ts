// Schema of targeting rules, conditions, segments, layers and the holdout.
import * as z from 'zod/mini'
import { describeValue } from '../describe.js'
import { expected, nameOf, percentage, weight } from './fields.js'
import type { Condition } from '../types.js'
import { checkValue, OPERATORS, STRING_OPERATORS, type Operator } from '../targeting/operators.js'
import { regexEngine, REGEX_ENGINE_MISSING } from '../targeting/regex-engine.js'

export const MAX_CONDITION_VALUES = 10_000

/** `params.check` names the check: it becomes the issue's stable `code` (see ConfigIssue), the rest its `params`. */
type Refinement = {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string; params: { check: string } & Record<string, unknown> }): void
}

const FORMS = ['attribute', 'all', 'any', 'not', 'segment'] as const

/**
 * What the condition schema accepts statically: one object type for every form. Its refinement lets through
 * exactly one form, so what it outputs is the `Condition` union (test/config-types.test-d.ts pins the two).
 */
export interface ConditionShape {
  attribute?: string
  op?: Operator
  values?: (string | number | boolean)[]
  caseInsensitive?: boolean
  negate?: boolean
  all?: ConditionShape[]
  any?: ConditionShape[]
  not?: ConditionShape
  segment?: string
}

/** One object type for every form, so a mistake is reported on the field, with its path. */
/** `all` and `any`: a non-empty list of conditions (z.lazy: conditionSchema is being defined). */
function conditionList() {
  return z.optional(
    z
      .array(
        z.lazy(() => conditionSchema),
        expected('an array of conditions'),
      )
      .check(z.minLength(1, { error: 'expected at least one condition' })),
  )
}

export const conditionSchema: z.ZodMiniType<Condition, ConditionShape> = /* @__PURE__ */ (() =>
  z
    .strictObject({
      attribute: z.optional(z.string(expected('an attribute name')).check(z.minLength(1), z.maxLength(128))),
      op: z.optional(z.enum(OPERATORS, expected(`an operator: ${OPERATORS.join(', ')}`))),
      values: z.optional(
        z
          .array(z.union([z.string(), z.number(), z.boolean()], expected('a string, number or boolean')), expected('an array of values'))
          .check(z.maxLength(MAX_CONDITION_VALUES, { error: `expected at most ${MAX_CONDITION_VALUES} values` })),
      ),
      caseInsensitive: z.optional(z.boolean(expected('true or false'))),
      negate: z.optional(z.boolean(expected('true or false'))),
      // z.lazy, not getters: zod/mini's `.check` copies the shape, which would call a getter before conditionSchema exists.
      all: conditionList(),
      any: conditionList(),
      not: z.optional(z.lazy(() => conditionSchema)),
      segment: z.optional(nameOf('a segment name')),
    })
    .check(z.superRefine(checkCondition, { when: () => true })) as z.ZodMiniType<Condition, ConditionShape>)() // checkCondition lets through exactly one form

function checkCondition(input: unknown, ctx: Refinement): void {
  if (typeof input !== 'object' || input === null) return
  const condition = input as Record<string, unknown>
  const forms = FORMS.filter((form) => condition[form] !== undefined)
  if (forms.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path: [],
      params: { check: 'condition_form', forms },
      message:
        forms.length === 0
          ? 'expected a condition: { attribute, op, values }, { all: [...] }, { any: [...] }, { not: {...} } or { segment: "name" }'
          : `expected one kind of condition, found ${forms.join(' and ')} together (combine them with all or any)`,
    })
    return
  }
  const leafFields = ['op', 'values', 'caseInsensitive', 'negate'].filter((field) => condition[field] !== undefined)
  if (forms[0] !== 'attribute') {
    for (const field of leafFields)
      ctx.addIssue({
        code: 'custom',
        path: [field],
        params: { check: 'field_misplaced', field, form: forms[0] },
        message: `${field} belongs to an attribute condition, not to ${forms[0]}`,
      })
    return
  }
  const op = condition.op as Operator | undefined
  if (op === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['op'],
      params: { check: 'operator_missing', operators: [...OPERATORS] },
      message: `expected an operator: ${OPERATORS.join(', ')}`,
    })
    return
  }
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op)) return
  const caseInsensitive = condition.caseInsensitive === true
  if (condition.caseInsensitive !== undefined && !(STRING_OPERATORS as readonly string[]).includes(op))
    ctx.addIssue({
      code: 'custom',
      path: ['caseInsensitive'],
      params: { check: 'case_insensitive_not_string', op },
      message: `caseInsensitive applies to string operators only, not to ${op}`,
    })
  const values = condition.values
  if (op === 'exists') {
    if (values !== undefined)
      ctx.addIssue({ code: 'custom', path: ['values'], params: { check: 'exists_takes_no_values' }, message: 'exists takes no values' })
    return
  }
  if (!Array.isArray(values) || values.length === 0) {
    if (values === undefined || Array.isArray(values))
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        params: { check: 'values_missing', op },
        message: `expected a non-empty array of values for ${op}`,
      })
    return
  }
  if (op === 'regex' && regexEngine() === undefined) {
    ctx.addIssue({ code: 'custom', path: ['op'], params: { check: 'regex_engine_missing' }, message: REGEX_ENGINE_MISSING })
    return
  }
  values.forEach((value: unknown, index) => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return
    const problem = checkValue(op, value, caseInsensitive)
    if (problem !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['values', index],
        params: { check: 'value_unreadable', op, problem },
        message: `${op} expects ${problem}, received ${describeValue(value)}`,
      })
  })
}

export const ruleSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      id: nameOf('a rule id'),
      when: conditionSchema,
      variant: z.optional(nameOf('a variant name')),
      weights: z.optional(
        z.record(z.string(), weight(), {
          error: 'expected an object mapping variant names to weights',
        }),
      ),
      exposure: z.optional(percentage()),
      description: z.optional(z.string(expected('a string'))),
    })
    .check(
      z.superRefine((input: unknown, ctx) => {
        const actions = (['variant', 'weights', 'exposure'] as const).filter(
          (field) => (input as Record<string, unknown>)[field] !== undefined,
        )
        if (actions.length !== 1)
          ctx.addIssue({
            code: 'custom',
            path: [],
            params: { check: 'rule_action', actions },
            message:
              actions.length === 0
                ? 'expected one of variant, weights or exposure: what the rule does to matching units'
                : `expected one of variant, weights or exposure, found ${actions.join(' and ')}`,
          })
      }),
    ))()

const sliceSchema = /* @__PURE__ */ (() =>
  z
    .tuple([percentage(), percentage()], expected('a slice [start, end] in percent, e.g. [0, 25]'))
    .check(z.refine(([start, end]) => start < end, { error: 'expected a slice [start, end] with start < end' })))()

export const experimentLayerSchema = /* @__PURE__ */ (() =>
  z.union(
    [
      nameOf('a layer name'),
      z.strictObject({
        name: nameOf('a layer name'),
        slice: z.optional(
          z.union([sliceSchema, z.array(sliceSchema).check(z.minLength(1))], expected('a slice [start, end] or a list of them')),
        ),
      }),
    ],
    expected('a layer name, or { name, slice: [start, end] }'),
  ))()

export const layerSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    salt: z.optional(z.string(expected('a string')).check(z.minLength(1))),
    description: z.optional(z.string(expected('a string'))),
  }))()

export const holdoutSchema = /* @__PURE__ */ (() =>
  z.union(
    [
      percentage(),
      z.strictObject({
        percent: percentage(),
        salt: z.optional(z.string().check(z.minLength(1))),
      }),
    ],
    expected('a percentage 0..100, or { percent, salt }'),
  ))()
