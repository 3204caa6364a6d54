// parse.ts reads the common experiment without zod (plain-experiment.ts). That reader must never change
// a result: the parsed config (key order included) and every issue must be what zod alone gives. zod
// alone is forced by a non-enumerable symbol key on the config, which zod ignores and the reader refuses.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { safeParseConfig, type SafeParseResult } from './parse.js'

const RUNS = process.env.SPLITLANE_FUZZ === 'full' ? 20_000 : 1000

function zodAlone(input: Record<string, unknown>): SafeParseResult {
  const copy = { ...input }
  Object.defineProperty(copy, Symbol('zod alone'), { value: true, enumerable: false })
  return safeParseConfig(copy)
}

/** Keys in order and values by Object.is, recursively: what toEqual does not check. */
function same(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`
  const keysA = Reflect.ownKeys(a)
  const keysB = Reflect.ownKeys(b)
  if (keysA.join('|') !== keysB.join('|')) return `${path}: keys ${keysA.map(String).join(',')} vs ${keysB.map(String).join(',')}`
  for (const key of keysA) {
    const problem = same((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`)
    if (problem !== null) return problem
  }
  return null
}

function outcome(result: SafeParseResult): unknown {
  return result.success ? result.data : { message: result.error.message, issues: result.error.issues }
}

const name = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', 'c', 'v1', 'control', 'constructor', '0', '12') },
  { weight: 1, arbitrary: fc.constantFrom('-x', '', 'a b', '__proto__') },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
)
const junk = fc.constantFrom(undefined, null, NaN, Infinity, -0, -1, 0.5, 1_000_001, true, 'x', '', [], {}, { a: 1 }, [1])
/** Mostly a valid value, now and then junk: most experiments are plain, some have one problem. */
const maybe = <T>(value: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary: value }, { weight: 1, arbitrary: junk })
/** Now and then an unknown key. */
const withTypo = <T extends object>(value: fc.Arbitrary<T>) =>
  fc.tuple(value, fc.nat({ max: 29 })).map(([object, dice]) => (dice === 0 ? { ...object, typo: 1 } : object))
const variant = withTypo(
  fc.record(
    {
      name: maybe(name),
      weight: maybe(fc.oneof(fc.constantFrom(0, 1, 10, 80, 1_000_000), fc.nat({ max: 5 }))),
      value: maybe(fc.oneof(fc.constant(null), fc.string({ maxLength: 2 }), fc.boolean(), fc.double(), fc.constantFrom({ k: 1 }, [1, 2]))),
      description: maybe(fc.string({ maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
)
const experiment = withTypo(
  fc.record(
    {
      variants: fc.oneof({ weight: 30, arbitrary: fc.array(variant, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: junk }),
      control: maybe(name),
      enabled: maybe(fc.boolean()),
      exposure: maybe(
        fc.oneof(fc.constantFrom(0, 100, 12.3456, 12.34567, 50, 0.0001, 99.99999, 100.5, -0.5), fc.double({ min: -1, max: 101 })),
      ),
      mode: maybe(fc.constantFrom('sticky', 'random', 'other')),
      layout: maybe(fc.constantFrom('stable', 'ranges', 'other')),
      salt: maybe(fc.string({ maxLength: 2 })),
      bucketBy: maybe(fc.oneof(name, fc.array(name, { maxLength: 2 }))),
      rules: maybe(fc.constantFrom([], [], [], [{ id: 'r', when: { attribute: 'a', op: 'exists' }, variant: 'a' }])),
      description: maybe(fc.string({ maxLength: 2 })),
    },
    { requiredKeys: ['variants'] },
  ),
)
const config = fc.record(
  {
    version: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: junk }),
    revision: maybe(fc.string({ maxLength: 2 })),
    experiments: fc.array(fc.tuple(name, experiment, fc.nat({ max: 9 })), { maxLength: 5 }).map((entries) =>
      // now and then with overrides or a layer (zod's, with the config's cross checks)
      Object.fromEntries(
        entries.map(([key, value, dice]) => [
          key,
          dice === 0 ? { ...value, overrides: { u: 'a' } } : dice === 1 ? { ...value, layer: { name: 'l', slice: [0, 50] } } : value,
        ]),
      ),
    ),
    layers: maybe(fc.constantFrom({ l: {} }, {})),
    segments: maybe(fc.constantFrom({ s: { attribute: 'a', op: 'exists' } })),
  },
  { requiredKeys: ['version', 'experiments'] },
)

describe('experiments read without zod', () => {
  it('parse exactly as zod alone does: the same config, key order included, or the same issues', () => {
    fc.assert(
      fc.property(config, (input) => {
        expect(same(outcome(safeParseConfig(input)), outcome(zodAlone(input)))).toBeNull()
      }),
      { numRuns: RUNS },
    )
  })

  it('are read for the common experiment, copied: a parsed variant is never the caller object', () => {
    const variants = [
      { name: 'a', weight: 80, value: 'x' },
      { name: 'b', description: 'd' },
      { name: 'c', value: undefined },
    ]
    const input = { version: 1 as const, experiments: { e: { variants, bucketBy: ['user'] } } }
    const result = safeParseConfig(input)
    expect(same(outcome(result), outcome(zodAlone(input)))).toBeNull()
    if (!result.success) throw result.error
    const parsed = result.data.experiments.e!
    expect(parsed.variants.some((variant, index) => variant === variants[index])).toBe(false)
    expect(parsed.bucketBy).not.toBe(input.experiments.e.bucketBy)
    expect(parsed.variants.map((variant) => Object.keys(variant))).toEqual([
      ['name', 'weight', 'value'],
      ['name', 'weight', 'description', 'value'],
      ['name', 'weight', 'value'],
    ])
    expect(variants[1]).toEqual({ name: 'b', description: 'd' }) // the caller's objects untouched
  })

  it('leave an experiment with a problem to zod, which reports it as before', () => {
    const input = {
      version: 1,
      experiments: {
        ok: { variants: [{ name: 'a' }] },
        dup: { variants: [{ name: 'a' }, { name: 'a' }] },
        zero: { variants: [{ name: 'a', weight: 0 }] },
      },
    }
    const result = safeParseConfig(input)
    expect(result.success).toBe(false)
    // fields zod reads although for...in does not list them: inherited, or not enumerable
    const inherited = Object.assign(Object.create({ overrides: { u: 'b' } }) as object, { variants: [{ name: 'a' }, { name: 'b' }] })
    const hidden = Object.defineProperty({ variants: [{ name: 'a' }] }, 'layer', { value: 'l', enumerable: false })
    for (const experiment of [inherited, hidden]) {
      const config = { version: 1, layers: { l: {} }, experiments: { e: experiment } }
      expect(same(outcome(safeParseConfig(config)), outcome(zodAlone(config)))).toBeNull()
    }
    expect(same(outcome(result), outcome(zodAlone(input)))).toBeNull()
    if (!result.success) expect(result.error.issues.map((issue) => issue.code)).toEqual(['duplicate_variant', 'all_weights_zero'])
  })
})
