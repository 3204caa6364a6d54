// Schema of targeting rules, conditions, segments, layers and the holdout.
import * as z from 'zod'
import { describeValue } from '../describe.js'
import type { Condition } from '../types.js'
import { checkValue, OPERATORS, STRING_OPERATORS, type Operator } from '../targeting/operators.js'
import { regexEngine, REGEX_ENGINE_MISSING } from '../targeting/regex-engine.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const MAX_CONDITION_VALUES = 10_000

const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, received ${describeValue(issue.input)}`,
})

const nameOf = (what: string) => {
  const message = expected(`${what}: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return z.string(message).regex(NAME, message)
}

export const percentage = (what = 'a percentage 0..100 with at most 4 decimals') => {
  const message = expected(what)
  return z
    .number(message)
    .min(0, message)
    .max(100, message)
    .refine((value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6, message)
}

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
export const conditionSchema: z.ZodType<Condition, ConditionShape> = /* @__PURE__ */ (() =>
  z
    .strictObject({
      attribute: z.string(expected('an attribute name')).min(1).max(128).optional().describe('Attribute to test (leaf conditions).'),
      op: z
        .enum(OPERATORS, expected(`an operator: ${OPERATORS.join(', ')}`))
        .optional()
        .describe('Operator (leaf conditions).'),
      values: z
        .array(z.union([z.string(), z.number(), z.boolean()], expected('a string, number or boolean')), expected('an array of values'))
        .max(MAX_CONDITION_VALUES, { error: `expected at most ${MAX_CONDITION_VALUES} values` })
        .optional()
        .describe('The attribute matches when it matches any of these. Not used by exists.'),
      caseInsensitive: z.boolean(expected('true or false')).optional().describe('String operators: ignore case.'),
      negate: z.boolean(expected('true or false')).optional().describe('Invert the operator on a present, readable attribute.'),
      get all(): z.ZodOptional<z.ZodArray<z.ZodType<Condition, ConditionShape>>> {
        return z
          .array(conditionSchema, expected('an array of conditions'))
          .min(1, { error: 'expected at least one condition' })
          .optional()
          .describe('Every condition matches.')
      },
      get any(): z.ZodOptional<z.ZodArray<z.ZodType<Condition, ConditionShape>>> {
        return z
          .array(conditionSchema, expected('an array of conditions'))
          .min(1, { error: 'expected at least one condition' })
          .optional()
          .describe('At least one condition matches.')
      },
      get not(): z.ZodOptional<z.ZodType<Condition, ConditionShape>> {
        return conditionSchema.optional().describe('The condition does not match.')
      },
      segment: nameOf('a segment name').optional().describe('Matches when the named top-level segment does.'),
    })
    .superRefine(checkCondition, { when: () => true })
    .meta({
      id: 'condition',
      description: 'A condition: { attribute, op, values }, { all }, { any }, { not } or { segment }.',
    }) as z.ZodType<Condition, ConditionShape>)() // checkCondition lets through exactly one form

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

const weightMessage = /* @__PURE__ */ (() => expected('integer 0..1000000'))()

export const ruleSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      id: nameOf('a rule id').describe('Unique within the experiment; reported as ruleId.'),
      when: conditionSchema,
      variant: nameOf('a variant name').optional().describe('Pin matching units to this variant.'),
      weights: z
        .record(
          z.string(),
          z
            .number(weightMessage)
            .refine(Number.isInteger, weightMessage)
            .min(0, weightMessage)
            .max(1_000_000, weightMessage)
            .meta({ type: 'integer' }),
          {
            error: 'expected an object mapping variant names to weights',
          },
        )
        .optional()
        .describe('Split matching units with these weights (variants left out get 0).'),
      exposure: percentage().optional().describe('Percent of matching units that enter the experiment.'),
      description: z.string(expected('a string')).optional().describe('Free text for people.'),
    })
    .superRefine((input, ctx) => {
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
    }))()

const sliceSchema = /* @__PURE__ */ (() =>
  z
    .tuple([percentage(), percentage()], expected('a slice [start, end] in percent, e.g. [0, 25]'))
    .refine(([start, end]) => start < end, { error: 'expected a slice [start, end] with start < end' }))()

export const experimentLayerSchema = /* @__PURE__ */ (() =>
  z.union(
    [
      nameOf('a layer name'),
      z.strictObject({
        name: nameOf('a layer name').describe('A layer from the top-level layers.'),
        slice: z
          .union([sliceSchema, z.array(sliceSchema).min(1)], expected('a slice [start, end] or a list of them'))
          .optional()
          .describe('Part(s) of the layer, [start, end) in percent. Default [0, 100]: the whole layer.'),
      }),
    ],
    expected('a layer name, or { name, slice: [start, end] }'),
  ))()

export const layerSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    salt: z.string(expected('a string')).min(1).optional().describe("Seeds the layer's hash. Default: the layer name."),
    description: z.string(expected('a string')).optional().describe('Free text for people.'),
  }))()

export const holdoutSchema = /* @__PURE__ */ (() =>
  z.union(
    [
      percentage(),
      z.strictObject({
        percent: percentage().describe('Percent of units held out.'),
        salt: z.string().min(1).optional().describe('Seeds the holdout hash; change it to draw a new holdout.'),
      }),
    ],
    expected('a percentage 0..100, or { percent, salt }'),
  ))()
