import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SplitlaneConfigError } from '../errors.js'
import { configJsonSchema } from './json-schema.js'
import { defineConfig, parseConfig, safeParseConfig, toConfigInput } from './parse.js'

const issuesOf = (input: unknown) => {
  const result = safeParseConfig(input)
  if (result.success) throw new Error('expected the config to be rejected')
  return result.error.issues
}

const withVariants = (variants: unknown, extra: Record<string, unknown> = {}) => ({
  version: 1,
  experiments: { checkout: { variants, ...extra } },
})

describe('parseConfig', () => {
  it('fills in every default', () => {
    const parsed = parseConfig({
      version: 1,
      experiments: { checkout: { variants: [{ name: 'a' }, { name: 'b', weight: 3, value: 'x' }] } },
    })
    expect(parsed).toEqual({
      version: 1,
      revision: null,
      experiments: {
        checkout: {
          variants: [
            { name: 'a', weight: 1, value: null },
            { name: 'b', weight: 3, value: 'x' },
          ],
          control: 'a',
          enabled: true,
          exposure: 100,
          mode: 'sticky',
          layout: 'stable',
          salt: 'checkout',
          bucketBy: [],
          overrides: {},
          rules: [],
          layer: null,
        },
      },
      segments: {},
      layers: {},
      holdout: { percent: 0, salt: 'splitlane.holdout' },
    })
  })

  it('normalizes bucketBy to a list and keeps the revision', () => {
    const parsed = parseConfig({ version: 1, revision: 'r7', experiments: { e: { variants: [{ name: 'a' }], bucketBy: 'userId' } } })
    expect(parsed.revision).toBe('r7')
    expect(parsed.experiments.e!.bucketBy).toEqual(['userId'])
  })

  it('reports a fractional weight together with the experiment-wide problems, in one pass', () => {
    expect(issuesOf(withVariants([{ name: 'a', weight: 0.5 }, { name: 'a' }], { control: 'main' }))).toMatchObject([
      { path: 'experiments.checkout.variants[0].weight', message: 'expected integer 0..1000000, received 0.5' },
      { path: 'experiments.checkout.variants[1].name', message: 'duplicate variant name "a" (already used by variants[0])' },
      { path: 'experiments.checkout.control', message: 'control "main" names no variant (variants are "a")' },
    ])
  })

  it('reports a bad weight with its full path and what was received', () => {
    expect(issuesOf(withVariants([{ name: 'a' }, { name: 'b', weight: -5 }]))).toMatchObject([
      {
        path: 'experiments.checkout.variants[1].weight',
        message: 'expected integer 0..1000000, received -5',
        code: 'too_small', // zod's code and params travel with the issue, for programs
        params: { minimum: 0 },
      },
    ])
  })

  it.each([1.5, 1_000_001, '10', null])('rejects weight %j', (weight) => {
    const [issue] = issuesOf(withVariants([{ name: 'a', weight }]))
    expect(issue!.path).toBe('experiments.checkout.variants[0].weight')
    expect(issue!.message).toMatch(/^expected integer 0\.\.1000000, received /)
  })

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      version: 1,
      experiments: {
        x: { variants: [{ name: 'a', wieght: 2 }, { name: 'a' }], control: 'zz', overrides: { 'qa-1': 'nope' } },
        y: { variants: [{ name: 'a', weight: 0 }], mode: 'rand', exposure: 101 },
      },
      extra: true,
    })
    const messages = Object.fromEntries(issues.map((issue) => [issue.path, issue.message]))
    expect(Object.keys(messages).sort()).toEqual([
      'experiments.x.control',
      'experiments.x.overrides.qa-1',
      'experiments.x.variants[0].wieght',
      'experiments.x.variants[1].name',
      'experiments.y.exposure',
      'experiments.y.mode',
      'experiments.y.variants',
      'extra',
    ])
    expect(messages['experiments.x.variants[0].wieght']).toBe('unknown key "wieght" (did you mean "weight"?)')
    expect(messages['experiments.x.variants[1].name']).toBe('duplicate variant name "a" (already used by variants[0])')
    expect(messages['experiments.x.control']).toBe('control "zz" names no variant (variants are "a")')
    expect(messages['experiments.x.overrides.qa-1']).toContain('override names variant "nope"')
    expect(messages['experiments.y.variants']).toContain('every variant has weight 0 while enabled is true')
    expect(messages.extra).toBe('unknown key "extra"')
  })

  it('accepts all-zero weights when the experiment is disabled', () => {
    expect(safeParseConfig(withVariants([{ name: 'a', weight: 0 }], { enabled: false })).success).toBe(true)
  })

  it.each([
    [{ version: 2, experiments: {} }, 'version', 'expected version 1, received 2'],
    [{ version: 1 }, 'experiments', 'expected an object of experiments by name, received nothing'],
    [withVariants([]), 'experiments.checkout.variants', 'expected at least one variant'],
    [withVariants([{ name: 'has space' }]), 'experiments.checkout.variants[0].name', 'expected a variant name'],
    [withVariants([{ name: 'a' }], { exposure: 0.00001 }), 'experiments.checkout.exposure', 'at most 4 decimals'],
    [withVariants([{ name: 'a' }], { bucketBy: [] }), 'experiments.checkout.bucketBy', 'attribute name'],
    [
      withVariants([{ name: 'a' }], { layout: 'hash' }),
      'experiments.checkout.layout',
      'expected "stable", "ranges" or { "compat": ... }, received "hash"',
    ],
    [{ version: 1, experiments: { 'bad name': { variants: [{ name: 'a' }] } } }, 'experiments["bad name"]', 'invalid name'],
    [null, '', 'expected a config object'],
    ['{"version":1}', '', 'expected a config object'],
  ])('rejects %j at %s', (input, path, message) => {
    const issues = issuesOf(input)
    expect(issues.map((issue) => issue.path)).toContain(path)
    expect(issues.find((issue) => issue.path === path)!.message).toContain(message)
  })

  it('throws SplitlaneConfigError with a readable message and a stable code', () => {
    let error: unknown
    try {
      parseConfig(withVariants([{ name: 'a', weight: -5 }]))
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SplitlaneConfigError)
    const configError = error as SplitlaneConfigError
    expect(configError.code).toBe('SPLITLANE_ERR_CONFIG_INVALID')
    expect(configError.message).toBe(
      'Invalid splitlane config (1 problem):\n  - experiments.checkout.variants[0].weight: expected integer 0..1000000, received -5',
    )
  })

  it('never throws from safeParseConfig, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (input) => {
        expect(() => safeParseConfig(input)).not.toThrow()
      }),
      { numRuns: 2000 },
    )
  })

  it('defineConfig returns its argument and keeps literal types', () => {
    const config = defineConfig({ version: 1, experiments: { e: { variants: [{ name: 'a' }] } } })
    expect(config.experiments.e.variants[0].name).toBe('a')
  })
})

describe('toConfigInput', () => {
  it('is the inverse of parsing: every part of the config survives, defaults filled in', () => {
    const parsed = parseConfig({
      version: 1,
      revision: 7,
      holdout: { percent: 5, salt: '2026-q4' },
      segments: { beta: { attribute: 'groups', op: 'in', values: ['beta'] } },
      layers: { page: { salt: 'page-v2' } },
      experiments: {
        checkout: {
          variants: [
            { name: 'control', value: 'https://v1.internal' },
            { name: 'canary', weight: 5, value: { model: 'gpt-4o' } },
          ],
          bucketBy: ['userId', 'sessionId'],
          exposure: 50,
          overrides: { 'qa-1': 'canary' },
          rules: [
            { id: 'beta', when: { segment: 'beta' }, variant: 'canary' },
            { id: 'de', when: { attribute: 'country', op: 'in', values: ['DE'] }, weights: { control: 1, canary: 1 } },
          ],
          layer: {
            name: 'page',
            slice: [
              [0, 20],
              [50, 60],
            ],
          },
        },
        plain: { variants: [{ name: 'a' }] },
      },
    })
    expect(parseConfig(toConfigInput(parsed))).toEqual(parsed)
    expect(parseConfig(toConfigInput(parseConfig({ version: 1, experiments: { x: { variants: [{ name: 'a' }] } } })))).toEqual(
      parseConfig({ version: 1, experiments: { x: { variants: [{ name: 'a' }] } } }),
    )
  })
})

describe('configJsonSchema', () => {
  it('describes the config, its limits and defaults', () => {
    const schema = configJsonSchema() as { properties: Record<string, unknown>; required: string[] }
    expect(schema.required).toEqual(['version', 'experiments'])
    const text = JSON.stringify(schema)
    expect(text).toContain('"maximum":1000000')
    expect(text).toContain('"enum":["stable","ranges"]')
    expect(text).toContain('"additionalProperties":false')
  })
})
