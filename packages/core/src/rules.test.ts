import './regex.js'
import { describe, expect, it } from 'vitest'
import { safeParseConfig } from './config/parse.js'
import type { SplitlaneError } from './errors.js'
import { otelReason } from './reasons.js'
import { createSplitter } from './splitter.js'
import type { SplitlaneConfig } from './types.js'

const config: SplitlaneConfig = {
  version: 1,
  revision: 'r1',
  segments: {
    beta: { attribute: 'groups', op: 'in', values: ['beta'] },
    office: { attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8', 'fd00::/8'] },
  },
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 95 },
        { name: 'canary', weight: 5 },
      ],
      rules: [
        { id: 'beta-canary', when: { segment: 'beta' }, variant: 'canary' },
        { id: 'old-app', when: { attribute: 'app', op: 'semverLt', values: ['2.0.0'] }, variant: 'stable' },
        { id: 'de-half', when: { attribute: 'country', op: 'in', values: ['DE', 'AT'] }, weights: { stable: 50, canary: 50 } },
        { id: 'office-only', when: { not: { segment: 'office' } }, exposure: 0 },
      ],
    },
    plain: { variants: [{ name: 'a' }, { name: 'b' }] },
  },
}

function setup() {
  const errors: SplitlaneError[] = []
  const splitter = createSplitter({ config, onError: (error) => errors.push(error) })
  return { splitter, errors }
}

const keys = Array.from({ length: 4000 }, (_, i) => `user-${i}`)

describe('targeting rules', () => {
  it('a pinning rule decides for every matching unit, with its id, outside analysis, as targeting_match', () => {
    const { splitter, errors } = setup()
    for (const key of keys.slice(0, 200)) {
      const assignment = splitter.assign('checkout', { key, attributes: { groups: ['staff', 'beta'], app: '1.0.0' } })
      expect(assignment).toMatchObject({ variant: 'canary', reason: 'rule', ruleId: 'beta-canary', inExperiment: false })
      expect(otelReason(assignment.reason)).toBe('targeting_match')
    }
    expect(errors).toEqual([])
  })

  it('the first matching rule wins', () => {
    const { splitter } = setup()
    const assignment = splitter.assign('checkout', { key: 'u', attributes: { app: '1.9.0', country: 'DE' } })
    expect(assignment).toMatchObject({ variant: 'stable', ruleId: 'old-app' })
  })

  it('a weights rule applies its own split to matching units, counted for analysis', () => {
    const { splitter } = setup()
    let canary = 0
    for (const key of keys) {
      const assignment = splitter.assign('checkout', { key, attributes: { country: 'AT', ip: '10.0.0.1' } })
      expect(assignment).toMatchObject({ reason: 'rule', ruleId: 'de-half', inExperiment: true })
      if (assignment.variant === 'canary') canary++
    }
    const sd = Math.sqrt(keys.length * 0.25)
    expect(Math.abs(canary - keys.length / 2)).toBeLessThan(3 * sd)
  })

  it('an exposure rule limits who enters; the rest fall through to the default split', () => {
    const { splitter } = setup()
    const outside = splitter.assign('checkout', { key: 'u', attributes: { ip: '192.168.1.1' } })
    expect(outside).toMatchObject({ variant: 'stable', reason: 'not_exposed', ruleId: 'office-only', inExperiment: false })
    let canary = 0
    for (const key of keys) {
      const inside = splitter.assign('checkout', { key, attributes: { ip: 'fd00::1' } })
      expect(inside.ruleId).toBeUndefined()
      expect(['split']).toContain(inside.reason)
      if (inside.variant === 'canary') canary++
    }
    const sd = Math.sqrt(keys.length * 0.05 * 0.95)
    expect(Math.abs(canary - keys.length * 0.05)).toBeLessThan(3 * sd)
  })

  it('a unit that matches no rule gets exactly what the default split gives it', () => {
    const { splitter } = setup()
    const untargeted = createSplitter({ config: { version: 1, experiments: { checkout: { ...config.experiments.checkout!, rules: [] } } } })
    for (const key of keys.slice(0, 500)) {
      const attributes = { ip: '10.1.1.1', country: 'FR' }
      expect(splitter.assign('checkout', { key, attributes }).variant).toBe(untargeted.assign('checkout', { key }).variant)
    }
  })

  it('variantOf evaluates rules without attributes, like assign without attributes', () => {
    const { splitter } = setup()
    for (const key of keys.slice(0, 300)) expect(splitter.variantOf('checkout', key)).toBe(splitter.assign('checkout', { key }).variant)
  })

  it('a pinning rule needs no key', () => {
    const { splitter } = setup()
    expect(splitter.assign('checkout', { attributes: { groups: 'beta' } })).toMatchObject({ variant: 'canary', reason: 'rule', key: null })
  })

  it('never throws, even when reading an attribute throws', () => {
    const { splitter, errors } = setup()
    const attributes = Object.defineProperty({}, 'groups', {
      enumerable: true,
      get() {
        throw new Error('boom')
      },
    })
    expect(splitter.assign('checkout', { key: 'u', attributes })).toMatchObject({ variant: 'stable', reason: 'error' })
    // The caller's context is at fault, not splitlane: CONTEXT_INVALID, naming the attribute (it used to say INTERNAL, "a bug").
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_CONTEXT_INVALID'])
    expect(errors[0]!.message).toContain('reading attribute "groups" threw')
    expect((errors[0]!.cause as Error).message).toBe('boom')
  })
})

describe('explain with rules', () => {
  it('names the rule that matched', () => {
    const { splitter } = setup()
    const assignment = splitter.assign('checkout', { key: 'u', attributes: { groups: ['beta'] } })
    expect(splitter.explain(assignment)).toBe(
      'checkout → "canary": rule "beta-canary" (the first rule) matched: segment "beta", which pins "canary". The unit does not count for analysis.',
    )
    const split = splitter.assign('checkout', { key: 'u', attributes: { country: 'DE' } })
    expect(splitter.explain(split)).toMatch(
      /^checkout → "(stable|canary)": rule "de-half" \(the third rule\) matched: country in \["DE","AT"\], so its weights apply; key "u"/,
    )
  })

  it('says that no rule matched and why the first failed, given the context', () => {
    const { splitter } = setup()
    const context = { key: 'u', attributes: { groups: ['staff'], app: '2.1.0', ip: '10.2.3.4' } }
    const assignment = splitter.assign('checkout', context)
    expect(assignment.reason).toBe('split')
    const text = splitter.explain(assignment, context)
    expect(text).toContain(
      'none of its 4 rules matched (the first, "beta-canary", failed: segment "beta" did not match: groups is ["staff"], so groups in "beta" is false), so the default split applies;',
    )
    expect(splitter.explain(assignment)).toContain('pass the context as explain\'s second argument to see why rule "beta-canary" failed')
    const missing = splitter.explain(splitter.assign('checkout', { key: 'u', attributes: { ip: '10.0.0.1' } }), {
      attributes: { ip: '10.0.0.1' },
    })
    expect(missing).toContain('attribute groups is missing, so groups in "beta" is false')
  })
})

describe('rule schema errors carry the path to the bad rule', () => {
  const issuesOf = (experiment: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const result = safeParseConfig({
      version: 1,
      ...extra,
      experiments: { e: { variants: [{ name: 'a' }, { name: 'b' }], ...experiment } },
    })
    if (result.success) throw new Error('expected the config to be rejected')
    return result.error.issues.map((issue) => `${issue.path}: ${issue.message}`)
  }

  it.each<[Record<string, unknown>, string]>([
    [
      { rules: [{ id: 'r', when: { attribute: 'p', op: 'regex', values: ['(unclosed'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values[0]: regex expects a valid RE2 pattern',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'p', op: 'regex', values: ['(?=lookahead)'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values[0]: regex expects a valid RE2 pattern',
    ],
    [
      { rules: [{ id: 'r', when: { all: [{ attribute: 'ip', op: 'cidr', values: ['10.0.0.0/40'] }] }, variant: 'a' }] },
      'experiments.e.rules[0].when.all[0].values[0]: cidr expects',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'v', op: 'semverGt', values: ['2'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values[0]: semverGt expects a semantic version',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'd', op: 'before', values: ['2026-11-22T10:00'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values[0]: before expects an ISO 8601 date',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'gt', values: ['5'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values[0]: gt expects a number',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', values: [] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values: expected a non-empty array of values for in',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'exists', values: ['x'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.values: exists takes no values',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'like', values: ['x'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.op: expected an operator',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', values: ['x'] }, variant: 'zz' }] },
      'experiments.e.rules[0].variant: rule pins variant "zz", which does not exist',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', values: ['x'] }, weights: { a: 1, zz: 1 } }] },
      'experiments.e.rules[0].weights.zz: weights name variant "zz"',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', values: ['x'] } }] },
      'experiments.e.rules[0]: expected one of variant, weights or exposure',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', values: ['x'] }, variant: 'a', exposure: 5 }] },
      'experiments.e.rules[0]: expected one of variant, weights or exposure, found variant and exposure',
    ],
    [{ rules: [{ id: 'r', when: { segment: 'nope' }, variant: 'a' }] }, 'experiments.e.rules[0].when.segment: no segment named "nope"'],
    [{ rules: [{ id: 'r', when: { any: [] }, variant: 'a' }] }, 'experiments.e.rules[0].when.any: expected at least one condition'],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'gt', values: [1], caseInsensitive: true }, variant: 'a' }] },
      'experiments.e.rules[0].when.caseInsensitive: caseInsensitive applies to string operators only',
    ],
    [
      { rules: [{ id: 'r', when: { attribute: 'n', op: 'in', valeus: ['x'] }, variant: 'a' }] },
      'experiments.e.rules[0].when.valeus: unknown key "valeus" (did you mean "values"?)',
    ],
    [{ rules: [{ id: 'r', wen: {}, variant: 'a' }] }, 'experiments.e.rules[0].wen: unknown key "wen" (did you mean "when"?)'],
  ])('%#: %s', (experiment, expected) => {
    expect(issuesOf(experiment).some((issue) => issue.startsWith(expected))).toBe(true)
  })

  it('rejects segment cycles and duplicate rule ids', () => {
    const issues = issuesOf(
      {
        rules: [
          { id: 'r', when: { segment: 'a' }, variant: 'a' },
          { id: 'r', when: { segment: 'a' }, variant: 'b' },
        ],
      },
      { segments: { a: { any: [{ segment: 'b' }] }, b: { not: { segment: 'a' } } } },
    )
    expect(issues).toContain('experiments.e.rules[1].id: duplicate rule id "r" (already used by rules[0])')
    expect(issues).toContain('segments.a: segments refer to each other in a cycle: a -> b -> a')
  })
})

describe('rules with update and assignAll', () => {
  it('update swaps rules in atomically; a config with a bad rule is rejected and the old rules stay', () => {
    const { splitter, errors } = setup()
    const context = { key: 'u', attributes: { groups: ['beta'] } }
    expect(splitter.assign('checkout', context).ruleId).toBe('beta-canary')
    const bad = {
      ...config,
      experiments: {
        ...config.experiments,
        checkout: {
          ...config.experiments.checkout!,
          rules: [{ id: 'x', when: { attribute: 'p', op: 'regex', values: ['(?<=a)b'] }, variant: 'stable' }],
        },
      },
    }
    const result = splitter.update(bad as SplitlaneConfig)
    expect(result.ok).toBe(false)
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_CONFIG_INVALID'])
    expect(splitter.assign('checkout', context).ruleId).toBe('beta-canary')
    expect(
      splitter.update({
        ...config,
        revision: 'r2',
        experiments: { ...config.experiments, checkout: { ...config.experiments.checkout!, rules: [] } },
      }).ok,
    ).toBe(true)
    expect(splitter.assign('checkout', context)).toMatchObject({ revision: 'r2', ruleId: undefined })
  })

  it('assignAll evaluates each experiment as assign does, holdout and layers included', () => {
    const layeredConfig: SplitlaneConfig = {
      ...config,
      holdout: 10,
      layers: { l: {} },
      experiments: { ...config.experiments, plain: { ...config.experiments.plain!, layer: { name: 'l', slice: [0, 40] } } },
    }
    const layered = createSplitter({ config: layeredConfig })
    for (const key of keys.slice(0, 500)) {
      const context = { key, attributes: { country: 'DE', ip: '10.0.0.1', groups: key.endsWith('7') ? ['beta'] : [] } }
      const all = layered.assignAll(context)
      for (const name of ['checkout', 'plain']) expect(all[name]).toEqual(layered.assign(name, context))
    }
  })
})
