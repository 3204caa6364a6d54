import { describe, expect, it } from 'vitest'
import { ErrorCode, SplitlaneConfigError, type SplitlaneError } from './errors.js'
import { createSplitter } from './splitter.js'
import type { Assignment, SplitlaneConfig } from './types.js'

const config: SplitlaneConfig = {
  version: 1,
  revision: 7,
  experiments: {
    checkout: {
      variants: [
        { name: 'v1', weight: 10, value: 'http://127.0.0.1:8001' },
        { name: 'v2', weight: 10, value: 'http://127.0.0.1:8002' },
        { name: 'v3', weight: 80, value: 'http://127.0.0.1:8003' },
      ],
      control: 'v3',
      overrides: { 'qa-1': 'v2' },
    },
    pricing: { variants: [{ name: 'old' }, { name: 'new' }], bucketBy: ['userId', 'sessionId'], layout: 'ranges' },
    banner: { variants: [{ name: 'off' }, { name: 'on' }], exposure: 25 },
    killed: { variants: [{ name: 'off' }, { name: 'on' }], enabled: false },
    full: {
      variants: [
        { name: 'old', weight: 0 },
        { name: 'new', weight: 100 },
      ],
    },
  },
}

function recordingSplitter(extra: Partial<Parameters<typeof createSplitter>[0]> = {}) {
  const errors: SplitlaneError[] = []
  const splitter = createSplitter({ config, onError: (error) => errors.push(error), ...extra })
  return { splitter, errors }
}

describe('createSplitter', () => {
  it('throws SplitlaneConfigError for an invalid config', () => {
    expect(() => createSplitter({ config: { version: 1, experiments: { e: { variants: [] } } } })).toThrow(SplitlaneConfigError)
  })

  it.each([
    [undefined, 'expected an options object'],
    [{ config, onError: 'log' }, 'onError must be a function'],
    [{ config, random: 0.5 }, 'random must be a function'],
  ])('rejects options %j', (options, message) => {
    expect(() => createSplitter(options as never)).toThrow(message)
  })

  it('requires a random source when an experiment uses random mode', () => {
    const randomConfig = { version: 1, experiments: { r: { variants: [{ name: 'a' }], mode: 'random' } } } as const
    expect(() => createSplitter({ config: randomConfig })).toThrow(/use mode "random" but no random source/)
    expect(() => createSplitter({ config: randomConfig, random: () => 0.5 })).not.toThrow()
  })
})

describe('assign', () => {
  it('returns a plain, JSON-serializable assignment with its evidence', () => {
    const { splitter, errors } = recordingSplitter()
    const assignment = splitter.assign('checkout', { key: 'user-42' })
    expect(Object.getPrototypeOf(assignment)).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify(assignment))).toMatchObject({ experiment: 'checkout', key: 'user-42', hash: assignment.hash })
    expect(assignment).toMatchObject({
      experiment: 'checkout',
      reason: 'split',
      inExperiment: true,
      key: 'user-42',
      keyFrom: 'key',
      revision: 7,
    })
    expect(['v1', 'v2', 'v3']).toContain(assignment.variant)
    expect(assignment.value).toBe(`http://127.0.0.1:800${assignment.variant!.slice(1)}`)
    expect(assignment.hash).toBeGreaterThanOrEqual(0)
    expect(assignment.hash).toBeLessThan(2 ** 32)
    expect(assignment.bucket).toBe(assignment.hash! / 2 ** 32)
    expect(errors).toEqual([])
  })

  it('is sticky: the same key always gets the same variant', () => {
    const { splitter } = recordingSplitter()
    for (let i = 0; i < 200; i++) {
      const key = `user-${i}`
      expect(splitter.assign('checkout', { key }).variant).toBe(splitter.assign('checkout', { key }).variant)
    }
  })

  it('accepts numbers and bigints as keys, as their decimal text', () => {
    const { splitter, errors } = recordingSplitter()
    expect(splitter.assign('checkout', { key: 42 })).toEqual(splitter.assign('checkout', { key: '42' }))
    expect(splitter.assign('checkout', { key: 9007199254740993n })).toEqual(splitter.assign('checkout', { key: '9007199254740993' }))
    expect(errors).toEqual([])
  })

  it('takes the key from bucketBy attributes in order of preference', () => {
    const { splitter } = recordingSplitter()
    const byUser = splitter.assign('pricing', { key: 'ignored', attributes: { userId: 'u1', sessionId: 's1' } })
    expect(byUser).toMatchObject({ key: 'u1', keyFrom: 'userId' })
    const bySession = splitter.assign('pricing', { attributes: { sessionId: 's1' } })
    expect(bySession).toMatchObject({ key: 's1', keyFrom: 'sessionId' })
    const none = splitter.assign('pricing', { key: 'ignored', attributes: {} })
    expect(none).toMatchObject({ variant: 'old', reason: 'no_key', inExperiment: false, key: null })
    expect(splitter.explain(none)).toContain('none of the attributes userId, sessionId was present')
  })

  it('gives control with reason no_key when there is no key', () => {
    const { splitter, errors } = recordingSplitter()
    for (const context of [undefined, {}, { key: '' }, { key: null }])
      expect(splitter.assign('checkout', context)).toMatchObject({ variant: 'v3', reason: 'no_key', inExperiment: false })
    expect(errors).toEqual([])
  })

  it('pins override keys before hashing, outside analysis', () => {
    const { splitter } = recordingSplitter()
    const assignment = splitter.assign('checkout', { key: 'qa-1' })
    expect(assignment).toMatchObject({ variant: 'v2', reason: 'override', inExperiment: false, hash: null })
    expect(splitter.explain(assignment)).toContain('listed in overrides')
  })

  it('serves control to everyone when disabled', () => {
    const { splitter } = recordingSplitter()
    for (let i = 0; i < 50; i++)
      expect(splitter.assign('killed', { key: `u${i}` })).toMatchObject({ variant: 'off', reason: 'disabled', inExperiment: false })
    expect(splitter.variantOf('killed', 'u1')).toBe('off')
  })

  it('reports reason static when only one variant has weight', () => {
    const { splitter } = recordingSplitter()
    const assignment = splitter.assign('full', { key: 'user-1' })
    expect(assignment).toMatchObject({ variant: 'new', reason: 'static', inExperiment: true })
    expect(splitter.explain(assignment)).toContain('only "new" has weight')
  })

  it('admits only the exposed share, the rest get control outside analysis', () => {
    const { splitter } = recordingSplitter()
    let exposed = 0
    for (let i = 0; i < 20_000; i++) {
      const assignment = splitter.assign('banner', { key: `user-${i}` })
      if (assignment.inExperiment) exposed++
      else expect(assignment).toMatchObject({ variant: 'off', reason: 'not_exposed' })
    }
    // 25% of 20,000 within 3 standard deviations (sd = sqrt(20000 * 0.25 * 0.75) ≈ 61)
    expect(Math.abs(exposed - 5000)).toBeLessThan(3 * 61.3)
  })

  it('draws per request in random mode from the injected source', () => {
    const draws = [0.05, 0.95, 0.5]
    const errors: SplitlaneError[] = []
    const splitter = createSplitter({
      config: { version: 1, experiments: { r: { variants: [{ name: 'a' }, { name: 'b' }], mode: 'random', layout: 'ranges' } } },
      random: () => draws.shift() ?? 0.1,
      onError: (error) => errors.push(error),
    })
    expect(splitter.assign('r').variant).toBe('a')
    expect(splitter.assign('r').variant).toBe('b')
    const third = splitter.assign('r', { key: 'u1' })
    expect(third).toMatchObject({ variant: 'b', reason: 'split', hash: 0.5 * 2 ** 32 })
    expect(splitter.explain(third)).toContain('mode random drew 0.5')
    expect(errors).toEqual([])
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('boom')
      },
    ],
    ['returns 1', () => 1],
    ['returns NaN', () => NaN],
    ['returns a string', () => '0.5'],
  ])('falls back to control when the random source %s', (_label, random) => {
    const errors: SplitlaneError[] = []
    const splitter = createSplitter({
      config: { version: 1, experiments: { r: { variants: [{ name: 'a' }, { name: 'b' }], mode: 'random', control: 'b' } } },
      random: random as () => number,
      onError: (error) => errors.push(error),
    })
    expect(splitter.assign('r')).toMatchObject({ variant: 'b', reason: 'error', errorCode: ErrorCode.RandomInvalid })
    expect(splitter.variantOf('r', 'k')).toBe('b')
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.RandomInvalid, ErrorCode.RandomInvalid])
  })
})

describe('never throws on the request path', () => {
  const throwingGetter = {
    get key(): string {
      throw new Error('getter exploded')
    },
  }
  const explode = () => {
    throw new Error('proxy exploded')
  }
  // Lookups are own-property only, so the proxy must throw on those traps too, not just on get.
  const throwingAttributes = {
    attributes: new Proxy({}, { get: explode, getOwnPropertyDescriptor: explode, has: explode, ownKeys: explode }),
  }
  const cases: [string, unknown, string, string | undefined][] = [
    ['undefined context', undefined, 'no_key', undefined],
    ['null context', null, 'error', ErrorCode.ContextInvalid],
    ['a number as context', 42, 'error', ErrorCode.ContextInvalid],
    ['a string as context', 'user-42', 'error', ErrorCode.ContextInvalid],
    ['an array as context', ['user-42'], 'error', ErrorCode.ContextInvalid],
    ['an object as key', { key: { id: 1 } }, 'error', ErrorCode.KeyInvalid],
    ['NaN as key', { key: NaN }, 'error', ErrorCode.KeyInvalid],
    ['Infinity as key', { key: Infinity }, 'error', ErrorCode.KeyInvalid],
    ['a boolean as key', { key: true }, 'error', ErrorCode.KeyInvalid],
    ['a symbol as key', { key: Symbol('k') }, 'error', ErrorCode.KeyInvalid],
    ['a function as key', { key: () => 'k' }, 'error', ErrorCode.KeyInvalid],
    ['the empty string as key', { key: '' }, 'no_key', undefined],
    ['a 1 MB key', { key: 'x'.repeat(1 << 20) }, 'split', undefined],
    ['a 1 MB non-ASCII key', { key: 'é'.repeat(1 << 19) }, 'split', undefined],
    ['a lone high surrogate', { key: '\ud800' }, 'split', undefined],
    ['a lone low surrogate inside text', { key: 'user-\udc00-42' }, 'split', undefined],
    ['attributes that are not an object', { key: 'k', attributes: 'country=DE' }, 'error', ErrorCode.ContextInvalid],
    ['a key getter that throws', throwingGetter, 'error', ErrorCode.ContextInvalid],
  ]

  it.each(cases)('%s', (_label, context, reason, code) => {
    const { splitter, errors } = recordingSplitter()
    let assignment: Assignment | undefined
    expect(() => (assignment = splitter.assign('checkout', context as never))).not.toThrow()
    expect(assignment!.reason).toBe(reason)
    expect(assignment!.variant).toMatch(/^v[123]$/)
    if (reason !== 'split') expect(assignment!.variant).toBe('v3')
    expect(errors.map((error) => error.code)).toEqual(code === undefined ? [] : [code])
    expect(assignment!.errorCode).toBe(code)
    expect(() => splitter.explain(assignment!)).not.toThrow()
    expect(() => splitter.assignAll(context as never)).not.toThrow()
  })

  it('a throwing attributes proxy under bucketBy', () => {
    const { splitter, errors } = recordingSplitter()
    expect(splitter.assign('pricing', throwingAttributes)).toMatchObject({ variant: 'old', reason: 'error' })
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.ContextInvalid])
  })

  it('variantOf with bad keys', () => {
    const { splitter, errors } = recordingSplitter()
    for (const key of [undefined, null, '', {}, [], NaN, Symbol('s'), true, 'x'.repeat(1 << 20), '\udfff'])
      expect(() => splitter.variantOf('checkout', key as never)).not.toThrow()
    expect(errors.map((error) => error.code)).toEqual(Array(5).fill(ErrorCode.KeyInvalid))
  })

  it('unknown experiments give no variant and report', () => {
    const { splitter, errors } = recordingSplitter()
    const assignment = splitter.assign('chekout', { key: 'u' })
    expect(assignment).toMatchObject({ variant: null, value: null, reason: 'unknown_experiment', inExperiment: false })
    expect(splitter.variantOf('chekout', 'u')).toBeNull()
    expect(splitter.assign(42 as never, { key: 'u' }).reason).toBe('unknown_experiment')
    expect(errors.map((error) => error.code)).toEqual([
      ErrorCode.ExperimentUnknown,
      ErrorCode.ExperimentUnknown,
      ErrorCode.ExperimentUnknown,
    ])
    expect(splitter.explain(assignment)).toContain('known: checkout, pricing, banner, killed, full')
  })

  it('survives an onError and an onAssignment that throw', () => {
    const splitter = createSplitter({
      config,
      onError: () => {
        throw new Error('handler broke')
      },
      onAssignment: () => {
        throw new Error('listener broke')
      },
    })
    expect(splitter.assign('checkout', { key: 'u' }).reason).toBe('split')
    expect(splitter.assign('checkout', null as never).reason).toBe('error')
    expect(Object.keys(splitter.assignAll({ key: 'u' }))).toHaveLength(5)
  })

  it('reports a throwing onAssignment through onError', () => {
    const errors: SplitlaneError[] = []
    const splitter = createSplitter({
      config,
      onError: (e) => errors.push(e),
      onAssignment: () => {
        throw new Error('x')
      },
    })
    splitter.assign('checkout', { key: 'u' })
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.CallbackFailed])
  })
})

describe('variantOf', () => {
  it('agrees with assign for every kind of key', () => {
    const { splitter } = recordingSplitter()
    for (const name of ['checkout', 'banner', 'killed', 'full'])
      for (let i = 0; i < 2000; i++) {
        const key = i % 3 === 0 ? `ユーザー-${i}` : `user-${i}`
        expect(splitter.variantOf(name, key)).toBe(splitter.assign(name, { key }).variant)
      }
    expect(splitter.variantOf('checkout', 'qa-1')).toBe('v2')
    expect(splitter.variantOf('checkout', 42)).toBe(splitter.assign('checkout', { key: '42' }).variant)
    for (const name of ['banner', 'full']) {
      expect(splitter.variantOf(name, 42)).toBe(splitter.assign(name, { key: '42' }).variant)
      expect(splitter.variantOf(name, '')).toBe(splitter.assign(name, { key: '' }).variant)
    }
  })
})

describe('assignAll', () => {
  it('equals assigning each experiment on its own, in config order', () => {
    const { splitter } = recordingSplitter()
    for (let i = 0; i < 500; i++) {
      const context = { key: `user-${i}`, attributes: { userId: `account-${i % 7}` } }
      const all = splitter.assignAll(context)
      expect(Object.keys(all)).toEqual(['checkout', 'pricing', 'banner', 'killed', 'full'])
      for (const [name, assignment] of Object.entries(all)) expect(assignment).toEqual(splitter.assign(name, context))
    }
  })

  it('reports a bad context once per call, not once per experiment', () => {
    const { splitter, errors } = recordingSplitter()
    const all = splitter.assignAll({ key: { id: 42 } } as never)
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.KeyInvalid])
    expect(all.checkout).toMatchObject({ variant: 'v3', reason: 'error', errorCode: ErrorCode.KeyInvalid })
    // pricing takes its key from bucketBy attributes, so the bad context.key does not matter there
    expect(splitter.assignAll({ key: { id: 42 }, attributes: { userId: 'u1' } } as never).pricing).toMatchObject({
      reason: 'split',
      key: 'u1',
    })
    errors.length = 0
    splitter.assignAll('user-42' as never)
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.ContextInvalid])
  })

  it('calls onAssignment once per assignment', () => {
    const seen: string[] = []
    const splitter = createSplitter({ config, onAssignment: (assignment) => seen.push(assignment.experiment) })
    splitter.assignAll({ key: 'u' })
    splitter.assign('checkout', { key: 'u' })
    splitter.variantOf('checkout', 'u')
    expect(seen).toEqual(['checkout', 'pricing', 'banner', 'killed', 'full', 'checkout'])
  })
})

describe('update', () => {
  it('swaps the config atomically and reports the new revision', () => {
    const { splitter } = recordingSplitter()
    const next = structuredClone(config)
    next.revision = 8
    next.experiments.checkout!.enabled = false
    expect(splitter.update(next)).toEqual({ ok: true, revision: 8 })
    expect(splitter.revision).toBe(8)
    expect(splitter.assign('checkout', { key: 'u' })).toMatchObject({ reason: 'disabled', revision: 8 })
  })

  it('keeps the old config when the new one is invalid, and reports why', () => {
    const { splitter, errors } = recordingSplitter()
    const before = splitter.assign('checkout', { key: 'u' })
    const result = splitter.update({ version: 1, revision: 8, experiments: { checkout: { variants: [{ name: 'a', weight: -1 }] } } })
    expect(result.ok).toBe(false)
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.ConfigInvalid])
    expect(splitter.revision).toBe(7)
    expect(splitter.assign('checkout', { key: 'u' })).toEqual(before)
  })

  it('rejects a random-mode config without a random source', () => {
    const { splitter } = recordingSplitter()
    const result = splitter.update({ version: 1, experiments: { r: { variants: [{ name: 'a' }], mode: 'random' } } })
    expect(result.ok).toBe(false)
    expect(splitter.revision).toBe(7)
  })
})

describe('explain', () => {
  it('names the key, hash, bucket, exposure, weights and layout of a split', () => {
    const { splitter } = recordingSplitter()
    const assignment = splitter.assign('checkout', { key: 'user-42' })
    const text = splitter.explain(assignment)
    expect(text).toContain(`checkout → "${assignment.variant}"`)
    expect(text).toContain('key "user-42" (from context.key)')
    expect(text).toContain(`0x${assignment.hash!.toString(16).padStart(8, '0')}`)
    expect(text).toContain('exposure 100% admits every unit')
    expect(text).toContain('v1 10 (10%), v2 10 (10%), v3 80 (80%)')
    expect(text).toContain('weighted rendezvous')
    expect(text).toContain(`"${assignment.variant}" scored highest`)
  })

  it('shows the ranges of the ranges layout', () => {
    const { splitter } = recordingSplitter()
    const text = splitter.explain(splitter.assign('pricing', { attributes: { userId: 'u1' } }))
    expect(text).toContain('old [0.0, 0.5), new [0.5, 1.0)')
  })

  it('says why a unit stayed out of exposure', () => {
    const { splitter } = recordingSplitter()
    let outside: Assignment | undefined
    for (let i = 0; !outside; i++) {
      const assignment = splitter.assign('banner', { key: `u${i}` })
      if (assignment.reason === 'not_exposed') outside = assignment
    }
    expect(splitter.explain(outside)).toMatch(/exposure draw 0\.\d+ is not below the exposure of 25%/)
  })

  it('names the cause of an error fallback', () => {
    const { splitter } = recordingSplitter()
    expect(splitter.explain(splitter.assign('checkout', { key: { id: 1 } } as never))).toContain(
      'control, because the key was not a string, a finite number or a bigint (SPLITLANE_ERR_KEY_INVALID)',
    )
  })

  it('says so, without throwing, when given something that is not an assignment', () => {
    const { splitter } = recordingSplitter()
    for (const bogus of [null, undefined, 42, {}, { experiment: 7 }])
      expect(splitter.explain(bogus as never)).toBe('Not a splitlane assignment: explain takes what assign or assignAll returned.')
  })

  it('notes when the config changed since the assignment', () => {
    const { splitter } = recordingSplitter()
    const assignment = splitter.assign('checkout', { key: 'u' })
    splitter.update({ ...config, revision: 8 })
    expect(splitter.explain(assignment)).toContain('Assigned under config revision 7; explained against revision 8')
  })
})
