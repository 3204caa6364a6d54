// The config and rollout validators carry their own copy of zod's English messages (english.ts), without
// zod's table of string formats. Every message must read exactly as zod's `en` locale writes it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { en } from 'zod/locales'
import type * as z from 'zod/mini'
import { rolloutPlanSchema } from '../rollout/schema.js'
import { configSchema } from './schema.js'
import { englishMessage } from './english.js'

const zodEnglish = en().localeError
const input = fc.oneof(fc.anything(), fc.constantFrom(NaN, Infinity, -Infinity, null, undefined, 1n, new Date(0), new Map(), new Set()))
const primitive = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt())
const origin = fc.oneof(
  fc.constantFrom('string', 'array', 'set', 'map', 'file', 'number', 'int', 'bigint', 'date', 'record', 'object', undefined),
  fc.string(),
)
const limit = fc.oneof(fc.integer(), fc.double(), fc.bigInt())
const issue = fc.oneof(
  fc.record({
    code: fc.constant('invalid_type'),
    expected: fc.oneof(fc.constantFrom('number', 'string', 'nan', 'int'), fc.string()),
    input,
  }),
  fc.record({ code: fc.constant('invalid_value'), values: fc.array(primitive, { minLength: 1, maxLength: 4 }), input }),
  fc.record({
    code: fc.constantFrom('too_big', 'too_small'),
    origin,
    maximum: limit,
    minimum: limit,
    inclusive: fc.boolean(),
    exact: fc.boolean(),
    input,
  }),
  fc.record({
    code: fc.constant('invalid_format'),
    format: fc.constantFrom('starts_with', 'ends_with', 'includes', 'regex', 'lowercase'),
    prefix: fc.string(),
    suffix: fc.string(),
    includes: fc.string(),
    pattern: fc.string(),
    input,
  }),
  fc.record({ code: fc.constant('not_multiple_of'), divisor: limit, input }),
  fc.record({ code: fc.constant('unrecognized_keys'), keys: fc.array(fc.string(), { minLength: 1, maxLength: 3 }), input }),
  fc.record({ code: fc.constantFrom('invalid_key', 'invalid_element'), origin: fc.constantFrom('map', 'record', 'set'), input }),
  fc.record(
    { code: fc.constant('invalid_union'), options: fc.array(fc.string(), { maxLength: 3 }), inclusive: fc.boolean(), input },
    { requiredKeys: ['code', 'input'] },
  ),
  fc.record({ code: fc.constant('custom'), input }),
)

describe('english messages', () => {
  it("read exactly as zod's en locale for every kind of issue", () => {
    fc.assert(
      fc.property(issue, (generated) => {
        const raw = generated as unknown as z.core.$ZodRawIssue
        expect(englishMessage(raw)).toBe(zodEnglish(raw))
      }),
      { numRuns: 2000 },
    )
  })

  it("give the same report as zod's en locale for configs and rollout plans", () => {
    const junk = fc.oneof(input, fc.constantFrom('', 'x'.repeat(200), -1, 101, 1.5, [], [[]], [0], {}, { compat: 'flagd', seed: 1 }))
    const document = fc.dictionary(
      fc.constantFrom('version', 'experiments', 'segments', 'layers', 'holdout', 'revision', '$schema', 'steps', 'experiment', 'x'),
      fc.oneof(junk, fc.dictionary(fc.constantFrom('a', 'salt', 'percent', 'variants', 'layout', 'rules'), junk)),
    )
    fc.assert(
      fc.property(document, (value) => {
        for (const schema of [configSchema, rolloutPlanSchema] as z.core.$ZodType[]) {
          const ours = (schema as z.ZodMiniType).safeParse(value, { error: englishMessage })
          const zods = (schema as z.ZodMiniType).safeParse(value, { error: zodEnglish })
          expect(JSON.stringify(ours.error?.issues)).toBe(JSON.stringify(zods.error?.issues))
        }
      }),
      { numRuns: 300 },
    )
  })
})
