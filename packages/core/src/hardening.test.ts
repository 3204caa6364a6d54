// Regression tests for the core defects of the hardening issue: prototype names, deep rules,
// hostile attribute values, polluted metrics events and revoked proxies on the request path.
import { describe, expect, it } from 'vitest'
import { MAX_DEPTH } from './config/limits.js'
import { parseConfig, safeParseConfig } from './config/parse.js'
import { ErrorCode, SplitlaneConfigError, type SplitlaneError } from './errors.js'
import { createMetricsRecorder } from './metrics/recorder.js'
import { createSplitter } from './splitter.js'
import { MAX_ATTRIBUTE_LENGTH, isNumberText } from './targeting/operators.js'
import type { Condition, SplitlaneConfig } from './types.js'

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'toLocaleString'] as const

function recording(config: unknown) {
  const errors: SplitlaneError[] = []
  const splitter = createSplitter({ config: config as SplitlaneConfig, onError: (error) => errors.push(error) })
  return { splitter, errors }
}

const issuesOf = (input: unknown): string[] => {
  const result = safeParseConfig(input)
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path}: ${issue.message}`)
}

describe('names that are also Object.prototype properties', () => {
  it.each(PROTOTYPE_NAMES)('a variant named %s left out of a rule’s weights compiles, and gets weight 0 under that rule', (name) => {
    const config = {
      version: 1,
      experiments: {
        e: {
          variants: [{ name }, { name: 'b' }],
          rules: [{ id: 'r', when: { attribute: 'plan', op: 'in', values: ['pro'] }, weights: { b: 1 } }],
        },
      },
    }
    expect(safeParseConfig(config).success).toBe(true)
    const { splitter, errors } = recording(config) // threw "Cannot convert ... to a BigInt"
    for (let i = 0; i < 50; i++) expect(splitter.assign('e', { key: `u${i}`, attributes: { plan: 'pro' } }).variant).toBe('b')
    expect(errors).toEqual([])
  })

  it('a layer named constructor without a layers block is rejected (users sat in both "exclusive" experiments)', () => {
    const config = {
      version: 1,
      experiments: {
        a: { variants: [{ name: 'x' }, { name: 'x2' }], layer: { name: 'constructor', slice: [0, 50] } },
        b: { variants: [{ name: 'y' }, { name: 'y2' }], layer: { name: 'constructor', slice: [50, 100] } },
      },
    }
    expect(issuesOf(config)).toEqual([
      'experiments.a.layer: no layer named "constructor" in the top-level layers (layers are none)',
      'experiments.b.layer: no layer named "constructor" in the top-level layers (layers are none)',
    ])
  })

  it('a layer really named constructor works: no unit is in both experiments', () => {
    const { splitter } = recording({
      version: 1,
      layers: { constructor: {} },
      experiments: {
        a: { variants: [{ name: 'x' }, { name: 'x2' }], layer: { name: 'constructor', slice: [0, 50] } },
        b: { variants: [{ name: 'y' }, { name: 'y2' }], layer: { name: 'constructor', slice: [50, 100] } },
      },
    })
    let both = 0
    for (let i = 0; i < 1000; i++) {
      const all = splitter.assignAll({ key: `u${i}` })
      if (all.a!.inExperiment && all.b!.inExperiment) both++
    }
    expect(both).toBe(0)
  })

  it('bucketBy, attributes and segments named like prototype properties read own properties only', () => {
    const { splitter, errors } = recording({
      version: 1,
      segments: { toString: { attribute: 'valueOf', op: 'exists' } },
      experiments: {
        e: {
          variants: [{ name: 'constructor' }, { name: 'hasOwnProperty' }],
          bucketBy: 'constructor',
          rules: [{ id: 'toString', when: { segment: 'toString' }, variant: 'hasOwnProperty' }],
        },
      },
    })
    // `{}` inherits constructor and valueOf; neither may count as an attribute.
    expect(splitter.assign('e', { attributes: {} })).toMatchObject({ reason: 'no_key', variant: 'constructor' })
    expect(splitter.assign('e', { attributes: { constructor: 'u1', valueOf: 1 } })).toMatchObject({
      reason: 'rule',
      ruleId: 'toString',
      variant: 'hasOwnProperty',
    })
    expect(errors).toEqual([])
  })

  it('"__proto__" as an experiment, segment or layer name, or as an override key, is reported (a parsed record would drop it)', () => {
    const config = JSON.parse(
      '{"version":1,"experiments":{"__proto__":{"variants":[{"name":"a"}]},"e":{"variants":[{"name":"a"},{"name":"b"}],"overrides":{"__proto__":"b"}}},"segments":{"__proto__":{"attribute":"x","op":"exists"}},"layers":{"__proto__":{}}}',
    )
    expect(issuesOf(config)).toEqual([
      'experiments.__proto__: "__proto__" cannot be an experiment name',
      'segments.__proto__: "__proto__" cannot be a segment name',
      'layers.__proto__: "__proto__" cannot be a layer name',
      'experiments.e.overrides.__proto__: "__proto__" cannot be a unit key in overrides',
    ])
  })
})

describe('rule depth', () => {
  const nested = (depth: number): Condition => {
    let condition: Condition = { attribute: 'plan', op: 'exists' }
    for (let i = 1; i < depth; i++) condition = { not: condition }
    return condition
  }
  const withWhen = (when: unknown, segments?: unknown) => ({
    version: 1,
    ...(segments === undefined ? {} : { segments }),
    experiments: { e: { variants: [{ name: 'a' }, { name: 'b' }], rules: [{ id: 'r', when, variant: 'b' }] } },
  })

  it(`accepts conditions ${MAX_DEPTH} deep`, () => {
    expect(MAX_DEPTH).toBe(32)
    expect(issuesOf(withWhen(nested(MAX_DEPTH)))).toEqual([])
  })

  it('rejects deeper ones with an issue at the path, even 100,000 deep (it threw RangeError)', () => {
    for (const depth of [MAX_DEPTH + 1, 1000, 100_000]) {
      const input = withWhen(nested(depth))
      expect(issuesOf(input)).toEqual([
        `experiments.e.rules[0].when: this condition nests more than ${MAX_DEPTH} levels deep (the limit keeps evaluation fast and bounded): flatten it, e.g. with all/any lists or segments`,
      ])
      expect(() => parseConfig(input)).toThrow(SplitlaneConfigError)
      expect(() => createSplitter({ config: input as SplitlaneConfig })).toThrow(SplitlaneConfigError)
    }
  })

  it('counts the depth of referenced segments, and survives a long chain or cycle of segments', () => {
    const chain = (length: number, cyclic: boolean) =>
      Object.fromEntries(
        Array.from({ length }, (_, i) => [
          `s${i}`,
          i === length - 1 && !cyclic ? { attribute: 'x', op: 'exists' } : { segment: `s${(i + 1) % length}` },
        ]),
      )
    // 20 segments of depth 1 referenced from depth 1: 21 levels, fine
    expect(issuesOf(withWhen({ segment: 's0' }, chain(20, false)))).toEqual([])
    const long = issuesOf(withWhen({ segment: 's0' }, chain(10_000, false)))
    expect(long).toContain(
      `experiments.e.rules[0].when: this condition, with the segments it references, nests more than ${MAX_DEPTH} levels deep (the limit keeps evaluation fast and bounded): flatten it, e.g. with all/any lists or segments`,
    )
    expect(issuesOf(withWhen({ segment: 's0' }, chain(3, true)))).toContain(
      'segments.s0: segments refer to each other in a cycle: s0 -> s1 -> s2 -> s0',
    )
  })

  it('rejects a variant value nested too deep, or cyclic, instead of overflowing the stack', () => {
    let deep: unknown = 1
    for (let i = 0; i < 10_000; i++) deep = [deep]
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const value of [deep, cyclic])
      expect(issuesOf({ version: 1, experiments: { e: { variants: [{ name: 'a', value }] } } })).toEqual([
        `experiments.e.variants[0].value: this value nests more than ${MAX_DEPTH} levels deep (the limit keeps evaluation fast and bounded): flatten it, e.g. with all/any lists or segments`,
      ])
  })

  it('a config whose getters throw is an invalid config, not a crash', () => {
    const input = {
      version: 1,
      get experiments(): never {
        throw new Error('getter exploded')
      },
    }
    expect(issuesOf(input)).toEqual([': reading the config threw: getter exploded'])
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(safeParseConfig({ version: 1, experiments: { e: { variants: [proxy] } } }).success).toBe(false)
    expect(safeParseConfig(proxy).success).toBe(false)
  })
})

describe('hostile attribute values', () => {
  const config = {
    version: 1,
    experiments: {
      e: {
        variants: [{ name: 'a' }, { name: 'b' }],
        rules: [{ id: 'big', when: { attribute: 'n', op: 'gte', values: [1] }, variant: 'b' }],
      },
    },
  }

  it('a long run of digits in a header is decided at once (the number regex took about 1 s)', () => {
    const { splitter, errors } = recording(config)
    const hostile = `${'1'.repeat(8190)} x`
    const start = performance.now()
    const assignment = splitter.assign('e', { key: 'u', attributes: { n: hostile } })
    const elapsed = performance.now() - start
    expect(assignment.variant).toBe('a')
    expect(elapsed).toBeLessThan(50) // a hang guard, not a benchmark: the old regex took ~300-1000 ms
    expect(errors).toEqual([])
    // The number scanner itself is linear: a million characters, no cap involved
    const started = performance.now()
    expect(isNumberText(`${'1'.repeat(1_000_000)} x`)).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it(`values longer than ${MAX_ATTRIBUTE_LENGTH} characters (or lists longer than that) never match`, () => {
    expect(MAX_ATTRIBUTE_LENGTH).toBe(1024)
    const { splitter } = recording(config)
    const variantFor = (n: unknown) => splitter.assign('e', { key: 'u', attributes: { n } }).variant
    expect(variantFor(`${'0'.repeat(MAX_ATTRIBUTE_LENGTH - 1)}7`)).toBe('b')
    expect(variantFor(`${'0'.repeat(MAX_ATTRIBUTE_LENGTH)}7`)).toBe('a')
    expect(variantFor(Array(MAX_ATTRIBUTE_LENGTH).fill('5'))).toBe('b')
    expect(variantFor(Array(MAX_ATTRIBUTE_LENGTH + 1).fill('5'))).toBe('a')
    expect(variantFor(['x'.repeat(MAX_ATTRIBUTE_LENGTH + 1), '5'])).toBe('b')
  })

  it('the number scanner reads what the old regex read', () => {
    const old = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i
    const samples = ['42', ' -1.5e3 ', '.5', '7.', '+.5e-2', '1e', 'e5', '.', '', ' ', '+', '-.', '1.2.3', '0x10', '1_000']
    for (const text of [...samples, '\u00a012\u2003', '1E+5', '1e5x', '--1', '12 3', 'Infinity', 'NaN', '1.e3', '.e3', '\ufeff3'])
      expect([text, isNumberText(text)]).toEqual([text, old.test(text)])
  })
})

describe('metrics events', () => {
  it('an event named __proto__ is counted as an event and pollutes nothing (it set Object.prototype.count to NaN)', () => {
    const recorder = createMetricsRecorder()
    const target = { experiment: 'e', variant: 'a', inExperiment: true }
    recorder.record(target, { events: JSON.parse('{"__proto__":1,"constructor":2,"toString":3}') })
    recorder.record(target, { events: JSON.parse('{"__proto__":4}') })
    expect(Object.prototype).not.toHaveProperty('count')
    expect(Object.prototype).not.toHaveProperty('sum')
    const events = recorder.snapshot().experiments.e!.a!.events
    expect(Object.keys(events).sort()).toEqual(['__proto__', 'constructor', 'toString'])
    expect(events['__proto__']).toEqual({ count: 2, sum: 5 })
    expect(events.constructor).toEqual({ count: 1, sum: 2 })
  })
})

describe('revoked proxies on the request path', () => {
  const config = {
    version: 1,
    experiments: {
      plain: { variants: [{ name: 'a' }, { name: 'b' }] },
      targeted: {
        variants: [{ name: 'a' }, { name: 'b' }],
        rules: [{ id: 'r', when: { attribute: 'plan', op: 'exists' }, variant: 'b' }],
      },
    },
  }
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  }

  it('assign, assignAll and variantOf answer and report (they threw TypeError: Cannot perform IsArray)', () => {
    const { splitter, errors } = recording(config)
    expect(splitter.assign('plain', revoked() as never)).toMatchObject({
      variant: 'a',
      reason: 'error',
      errorCode: ErrorCode.ContextInvalid,
    })
    const all = splitter.assignAll(revoked())
    expect([all.plain!.reason, all.targeted!.reason]).toEqual(['error', 'error'])
    expect(splitter.variantOf(revoked() as never, 'u')).toBeNull()
    expect(splitter.assign(revoked() as never, { key: 'u' })).toMatchObject({ variant: null, reason: 'unknown_experiment' })
    expect(splitter.assign('targeted', { key: 'u', attributes: revoked() })).toMatchObject({ variant: 'a', reason: 'error' })
    expect(splitter.assign('targeted', { key: 'u', attributes: { plan: revoked() } })).toMatchObject({ variant: 'b', reason: 'rule' })
    expect(errors.map((error) => error.code)).toEqual([
      ErrorCode.ContextInvalid,
      ErrorCode.ContextInvalid,
      ErrorCode.ExperimentUnknown,
      ErrorCode.ExperimentUnknown,
      ErrorCode.ContextInvalid,
    ])
    expect(errors.map((error) => error.message)).toContain('no experiment named "a revoked proxy" in config revision null')
  })
})
