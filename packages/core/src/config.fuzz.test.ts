// Fuzz: generated configs (prototype names, junk, extreme numbers, deep nesting, bad regexes) through
// safeParseConfig, parseConfig, createSplitter and update. SPLITLANE_FUZZ=full (pnpm test:fuzz) runs 100,000.
import './regex.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig, safeParseConfig } from './config/parse.js'
import { SplitlaneConfigError } from './errors.js'
import { createSplitter } from './splitter.js'
import type { SplitlaneConfig } from './types.js'

const RUNS = process.env.SPLITLANE_FUZZ === 'full' ? 100_000 : 300
const PROTO = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf']
const name = fc.oneof(fc.constantFrom(...PROTO, 'a', 'b', 'c'), fc.string({ maxLength: 6 }))
const junk = fc.oneof(fc.constantFrom(NaN, Infinity, -0, 1e308, -1, 1_000_001, null, true, [], {}), fc.string({ maxLength: 4 }))
const record = <T>(value: fc.Arbitrary<T>) =>
  fc.array(fc.tuple(name, value), { maxLength: 4 }).map((entries) => Object.fromEntries(entries) as Record<string, T>)
const leaf = fc.record({
  attribute: name,
  op: fc.constantFrom('in', 'gte', 'regex', 'exists', 'semverGt', 'cidr', 'nope'),
  values: fc.array(fc.oneof(fc.constantFrom('(', '(a+)+$', '1.0.0', '10.0.0.0/8', 1), junk), { maxLength: 2 }),
})
const condition = fc.tuple(leaf, fc.nat({ max: 40 }), fc.constantFrom('not', 'all', 'segment')).map(([base, depth, kind]) => {
  let node: unknown = kind === 'segment' ? { segment: 'constructor' } : base
  for (let i = 0; i < depth; i++) node = kind === 'all' ? { all: [node] } : { not: node }
  return node
})
const variant = fc.record({ name, weight: fc.oneof(fc.nat({ max: 10 }), junk) }, { requiredKeys: ['name'] })
const rule = fc.record(
  {
    id: name,
    when: condition,
    variant: name,
    weights: record(fc.oneof(fc.nat({ max: 5 }), junk)),
    exposure: fc.oneof(fc.nat({ max: 100 }), junk),
  },
  { requiredKeys: ['id', 'when'] },
)
const experiment = fc.record(
  {
    variants: fc.array(variant, { minLength: 1, maxLength: 4 }),
    control: name,
    rules: fc.array(rule, { maxLength: 2 }),
    layer: fc.oneof(name, fc.record({ name, slice: fc.constant([0, 50]) })),
    bucketBy: fc.oneof(name, fc.array(name, { maxLength: 2 }), junk),
    overrides: record(name),
    exposure: fc.oneof(fc.nat({ max: 100 }), junk),
  },
  { requiredKeys: ['variants'] },
)
const config = fc.record(
  {
    version: fc.oneof(fc.constant(1), junk),
    experiments: record(experiment),
    segments: record(condition),
    layers: record(fc.constant({})),
  },
  { requiredKeys: ['version', 'experiments'] },
)

describe(`config fuzz (${RUNS} runs)`, () => {
  it('never throws but SplitlaneConfigError; what safeParseConfig accepts compiles; update never swaps in a bad config', () => {
    const good: SplitlaneConfig = { version: 1, revision: 'good', experiments: { e: { variants: [{ name: 'a' }, { name: 'b' }] } } }
    const splitter = createSplitter({ config: good, random: () => 0.5 })
    let accepted = 0
    fc.assert(
      fc.property(config, (input) => {
        const safe = safeParseConfig(input)
        let threw: unknown
        try {
          parseConfig(input)
        } catch (error) {
          threw = error
        }
        expect(threw === undefined).toBe(safe.success)
        if (threw !== undefined) expect(threw).toBeInstanceOf(SplitlaneConfigError)
        if (safe.success) {
          accepted++
          createSplitter({ config: input as SplitlaneConfig, random: () => 0.5 })
        } else expect(() => createSplitter({ config: input as SplitlaneConfig, random: () => 0.5 })).toThrow(SplitlaneConfigError)
        const result = splitter.update(input as SplitlaneConfig)
        expect(result.ok).toBe(safe.success)
        if (!result.ok) expect(splitter.revision).toBe('good')
        else splitter.update(good)
        expect(Object.prototype).not.toHaveProperty('count')
      }),
      { numRuns: RUNS },
    )
    console.log(`config fuzz: ${RUNS} configs, ${accepted} accepted, 0 throws, 0 bad configs swapped in`)
  }, 3_600_000) // the full count takes minutes
})
