// Fuzz: hostile contexts, keys and experiment names (revoked and throwing Proxies, throwing getters, 1 MB strings,
// lone surrogates, prototype names) through assign, variantOf, assignAll and verifyOverrides, and hostile request
// views through the request layer adapters call. SPLITLANE_FUZZ=full (pnpm test:fuzz) runs 1,000,000 contexts.
// The arbitraries generate plain descriptions ("specs") and build the hostile values inside the property, so a
// failure prints a readable counterexample instead of a Proxy that throws when printed.
import './regex.js'
import fc from 'fast-check'
import { createHmac } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode, SplitlaneError } from './errors.js'
import { createHttpSplit } from './request/split.js'
import type { CookieSignature, RequestView } from './request/types.js'
import { createSplitter } from './splitter.js'
import type { Assignment, SplitlaneConfig } from './types.js'

const FULL = process.env.SPLITLANE_FUZZ === 'full'
const RUNS = FULL ? 1_000_000 : 15_000
const REQUEST_RUNS = FULL ? 100_000 : 1_000

// One copy of each big string for the whole run: they are shared, never rebuilt.
const MEGABYTE_DIGITS = '1'.repeat(1 << 20)
const BIG = {
  digits: MEGABYTE_DIGITS,
  'digits-x': `${MEGABYTE_DIGITS} x`, // the quadratic-regex input of the hardening issue, at 1 MB
  'lone-surrogates': '\uD800'.repeat(1 << 19),
  'header-gte': `${'1'.repeat(8190)} x`,
  'override-tokens': Array.from({ length: 7500 }, (_, i) => `sl1:e${i}:v:9999999999:x`).join(', '),
} as const
const PROTO = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'then',
]
const LONE = ['\uD800', '\uDFFF', 'a\uD83D', '\uDE00b', '\uD83D\uDE00']
const ATTRIBUTES = ['n', 'plan', 'version', 'ip', 'email', 'when', 'userId', 'sessionId', 'prototype']
const CONTEXT_FIELDS = ['key', 'attributes', 'overrides']
const TRAPS = ['get', 'has', 'ownKeys', 'getPrototypeOf', 'getOwnPropertyDescriptor', 'set', 'defineProperty', 'apply'] as const
const THROWN = ['error', 'revoked', 'symbol', 'undefined', 'hostile'] as const

const config = {
  version: 1,
  revision: 'fuzz',
  holdout: { percent: 5, salt: 'h' },
  layers: { constructor: {}, main: {} },
  segments: {
    toString: {
      any: [
        { attribute: 'plan', op: 'in', values: ['pro', 'Beta'], caseInsensitive: true },
        { attribute: 'constructor', op: 'exists' },
      ],
    },
  },
  experiments: {
    plain: { variants: [{ name: 'a' }, { name: 'b' }] },
    constructor: {
      variants: [
        { name: 'toString', value: 'http://127.0.0.1:1/a' },
        { name: 'valueOf', weight: 3, value: 'http://127.0.0.1:1/b' },
      ],
      overrides: { qa: 'valueOf', constructor: 'valueOf' },
      layer: { name: 'constructor', slice: [0, 50] },
      rules: [
        { id: 'n-gte', when: { attribute: 'n', op: 'gte', values: [5] }, variant: 'valueOf' },
        { id: 'segment', when: { segment: 'toString' }, weights: { valueOf: 1 } },
      ],
    },
    hasOwnProperty: {
      variants: [{ name: 'x' }, { name: 'y' }, { name: 'isPrototypeOf' }],
      layer: { name: 'constructor', slice: [50, 100] },
      exposure: 50,
      rules: [
        { id: 'mail', when: { attribute: 'email', op: 'regex', values: ['^(a+)+@example\\.com$'] }, variant: 'y' },
        {
          id: 'ver',
          when: {
            all: [
              { attribute: 'version', op: 'semverGte', values: ['1.2.0'] },
              { not: { attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8'] } },
            ],
          },
          variant: 'y',
        },
        { id: 'late', when: { attribute: 'when', op: 'after', values: ['2026-01-01T00:00:00Z'] }, exposure: 10 },
        { id: 'proto', when: { attribute: 'prototype', op: 'contains', values: ['x'] }, variant: 'isPrototypeOf' },
      ],
    },
    byUser: {
      variants: [{ name: 'a' }, { name: 'b' }],
      bucketBy: ['userId', 'sessionId'],
      layer: 'main',
      rules: [{ id: 'few', when: { attribute: 'n', op: 'lte', values: [1.5], negate: true }, variant: 'b' }],
    },
    random: { variants: [{ name: 'a' }, { name: 'b' }], mode: 'random' },
    off: { variants: [{ name: 'a' }, { name: 'b' }], enabled: false },
  },
} as unknown as SplitlaneConfig
const EXPERIMENTS = Object.keys(config.experiments)
const VARIANTS = new Map(Object.entries(config.experiments).map(([name, experiment]) => [name, experiment.variants.map((v) => v.name)]))
const REASONS = [
  'split',
  'static',
  'override',
  'rule',
  'holdout',
  'outside_layer',
  'not_exposed',
  'no_key',
  'disabled',
  'error',
  'unknown_experiment',
]
const CODES = new Set<string>(Object.values(ErrorCode))

// ---- specs: plain descriptions of hostile values ----
type Thrown = (typeof THROWN)[number]
type Spec =
  | { v: string | number | bigint | boolean | null | undefined }
  | { big: keyof typeof BIG }
  | { symbol: true }
  | { revoked: 'object' | 'array' | 'function' }
  | { array: Spec[] }
  | { object: { entries: [string, Spec, Thrown | undefined][]; proto: 'object' | 'null' | 'hostile' } }
  | { proxy: { traps: (typeof TRAPS)[number][]; thrown: Thrown; inner: Spec } }

const thrown = fc.constantFrom(...THROWN)
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), maxLength: 3 }),
  fc.constantFrom(
    ...PROTO,
    ...LONE,
    ...EXPERIMENTS,
    'qa',
    'pro',
    'BETA',
    '1.2.3',
    '10.1.2.3',
    '2026-06-01',
    '5',
    'aaaaaaaaaaaaaaaaaaaaaaaa!@example.com',
  ),
)
const fieldName = fc.oneof(fc.constantFrom(...CONTEXT_FIELDS, ...ATTRIBUTES, ...PROTO, ...LONE), fc.string({ maxLength: 4 }))
const leaf: fc.Arbitrary<Spec> = fc.oneof(
  { arbitrary: text.map((v) => ({ v })), weight: 40 },
  {
    arbitrary: fc.oneof(fc.double(), fc.integer(), fc.bigInt(), fc.constantFrom(true, false, null, undefined)).map((v) => ({ v })),
    weight: 10,
  },
  // rare, as they cost a millisecond or more each to hash or scan; still tens of thousands in the full run
  { arbitrary: fc.constantFrom(...(Object.keys(BIG) as (keyof typeof BIG)[])).map((big) => ({ big })), weight: 1 },
  { arbitrary: fc.constant({ symbol: true as const }), weight: 5 },
  { arbitrary: fc.constantFrom('object', 'array', 'function').map((revoked) => ({ revoked })), weight: 10 },
)
const { value: valueSpec } = fc.letrec<{ value: Spec; array: Spec; object: Spec; proxy: Spec }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array'), tie('proxy')),
  array: fc.array(tie('value'), { maxLength: 4 }).map((array) => ({ array })),
  object: fc
    .record({
      entries: fc.array(fc.tuple(fieldName, tie('value'), fc.option(thrown, { nil: undefined, freq: 4 })), { maxLength: 5 }),
      proto: fc.constantFrom('object', 'object', 'null', 'hostile'),
    })
    .map((object) => ({ object })),
  proxy: fc.record({ traps: fc.subarray([...TRAPS], { minLength: 1 }), thrown, inner: tie('object') }).map((proxy) => ({ proxy })),
}))
/** A context is most often an object of key/attributes/overrides, with attributes an object of the config's attributes. */
const attributesSpec = fc.oneof(
  fc
    .array(
      fc.tuple(fc.constantFrom(...ATTRIBUTES, 'constructor', '__proto__'), valueSpec, fc.option(thrown, { nil: undefined, freq: 6 })),
      {
        maxLength: 6,
      },
    )
    .map((entries) => ({ object: { entries, proto: 'object' as const } })),
  valueSpec,
)
const contextSpec: fc.Arbitrary<Spec> = fc.oneof(
  { arbitrary: valueSpec, weight: 1 },
  {
    arbitrary: fc
      .record(
        { key: valueSpec, attributes: attributesSpec, overrides: valueSpec, getter: fc.option(thrown, { nil: undefined, freq: 4 }) },
        { requiredKeys: [] },
      )
      .map(({ getter, ...fields }) => ({
        object: {
          entries: Object.entries(fields).map(
            ([name, spec], i) => [name, spec, i === 0 ? getter : undefined] as [string, Spec, Thrown | undefined],
          ),
          proto: 'object' as const,
        },
      })),
    weight: 4,
  },
)
const nameSpec: fc.Arbitrary<Spec> = fc.oneof({ arbitrary: fc.constantFrom(...EXPERIMENTS).map((v) => ({ v })), weight: 4 }, valueSpec)

// ---- building the hostile values ----
function revokedOf(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {})
  revoke()
  return proxy
}
const throwEverything = (error: () => unknown): ProxyHandler<object> =>
  Object.fromEntries(
    TRAPS.map((trap) => [
      trap,
      () => {
        throw error()
      },
    ]),
  )
function thrownValue(kind: Thrown): unknown {
  switch (kind) {
    case 'error':
      return new Error('boom')
    case 'revoked':
      return revokedOf({})
    case 'symbol':
      return Symbol('thrown')
    case 'undefined':
      return undefined
    case 'hostile': // instanceof, String(), .message: each throws
      return new Proxy(
        {},
        throwEverything(() => new Error('hostile')),
      )
  }
}
function build(spec: Spec): unknown {
  if ('v' in spec) return spec.v
  if ('big' in spec) return BIG[spec.big]
  if ('symbol' in spec) return Symbol('value')
  if ('revoked' in spec) return revokedOf(spec.revoked === 'object' ? {} : spec.revoked === 'array' ? [] : () => 0)
  if ('array' in spec) return spec.array.map(build)
  if ('proxy' in spec) {
    const { traps, thrown: kind, inner } = spec.proxy
    const handler = Object.fromEntries(
      traps.map((trap) => [
        trap,
        () => {
          throw thrownValue(kind)
        },
      ]),
    )
    return new Proxy(build(inner) as object, handler)
  }
  const { entries, proto } = spec.object
  const prototype =
    proto === 'null'
      ? null
      : proto === 'hostile'
        ? new Proxy(
            {},
            throwEverything(() => new Error('proto')),
          )
        : Object.prototype
  const target = Object.create(prototype) as object
  // defineProperty makes "__proto__" an own property, as JSON.parse does, instead of setting the prototype
  for (const [name, value, getter] of entries)
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: true,
      ...(getter === undefined
        ? { value: build(value), writable: true }
        : {
            get: () => {
              throw thrownValue(getter)
            },
          }),
    })
  return target
}

// ---- what every answer must look like ----
/** Plain checks, not expect: the loop runs a million times and expect costs microseconds each. */
function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new Error(`${what}: ${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`)
}
function expectAssignment(assignment: Assignment, name: unknown): void {
  check(typeof assignment === 'object' && assignment !== null, 'not an object', typeof assignment)
  const { experiment, variant, reason, errorCode, key, hash, bucket } = assignment
  check(
    REASONS.includes(reason) && typeof experiment === 'string' && assignment.revision === 'fuzz',
    'bad reason/experiment/revision',
    assignment,
  )
  const variants = typeof name === 'string' ? VARIANTS.get(name) : undefined
  if (typeof name === 'string') check(experiment === name, 'experiment is not the name asked for', assignment)
  if (variants !== undefined) {
    check(variants.includes(variant!), 'not a variant of the experiment', assignment)
    if (reason === 'error' || reason === 'disabled' || reason === 'no_key')
      check(variant === variants[0] && !assignment.inExperiment, 'not control', assignment)
  } else check(variant === null && (reason === 'error' || reason === 'unknown_experiment'), 'unknown experiment with a variant', assignment)
  if (reason === 'error' || reason === 'unknown_experiment') check(CODES.has(errorCode!), 'error without a listed code', assignment)
  else check(errorCode === undefined, 'errorCode without an error', assignment)
  check(key === null || typeof key === 'string', 'key is not text', assignment)
  if (hash === null) check(bucket === null, 'bucket without hash', assignment)
  else check(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32 && bucket === hash / 2 ** 32, 'bad hash or bucket', assignment)
}

const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype]
const snapshot = () =>
  prototypes.map((prototype) => Reflect.ownKeys(prototype).map((key) => [key, Object.getOwnPropertyDescriptor(prototype, key)]))
const pristine = snapshot()
const keyCounts = prototypes.map((prototype) => Reflect.ownKeys(prototype).length)
/** Cheap per run (no key added or removed), in full (every descriptor unchanged) every 1,000 runs and at the end. */
let checks = 0
function expectPrototypesUntouched(): void {
  prototypes.forEach((prototype, i) => {
    if (Reflect.ownKeys(prototype).length !== keyCounts[i]) expect(snapshot()).toEqual(pristine)
  })
  if (++checks % 1000 === 0) expect(snapshot()).toEqual(pristine)
}
const hmac = (message: string) => createHmac('sha256', 'fuzz-secret').update(message).digest()
const errors: SplitlaneError[] = []
const onError = (error: SplitlaneError) => {
  errors.push(error)
}
let draws = 0
const splitter = createSplitter({ config, onError, random: () => (draws++ % 97) / 97, overrideTokens: { sign: hmac } })

/** Every report is a SplitlaneError with a listed code, and never "a bug inside splitlane". */
function expectReports(): void {
  for (let i = 0; i < errors.length; i++) {
    const error = errors[i]!
    check(error instanceof SplitlaneError && CODES.has(error.code) && error.code !== ErrorCode.Internal, 'bad report', String(error))
  }
}

describe(`context fuzz (${RUNS} contexts, ${REQUEST_RUNS} requests)`, () => {
  const started = performance.now()
  let tried = 0
  afterAll(() => {
    expect(snapshot()).toEqual(pristine)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`context fuzz: ${tried} hostile inputs tried in ${seconds} s (seed ${fc.readConfigureGlobal().seed}), 0 throws`)
  })

  it('assign, variantOf, assignAll and verifyOverrides never throw and answer well-formed; no prototype changes', () => {
    fc.assert(
      fc.property(nameSpec, contextSpec, valueSpec, (nameOf, contextOf, keyOf) => {
        tried++
        const [name, context, key] = [build(nameOf), build(contextOf), build(keyOf)]
        errors.length = 0 // each run checks its own reports
        expectAssignment(splitter.assign(name as string, context as never), name)
        const variant = splitter.variantOf(name as string, key as string)
        const variants = typeof name === 'string' ? VARIANTS.get(name) : undefined
        check(variants === undefined ? variant === null : variants.includes(variant!), 'variantOf answered', variant)
        const all = splitter.assignAll(context as never)
        check(Object.keys(all).join() === EXPERIMENTS.join(), 'assignAll answered for', Object.keys(all))
        for (const experiment of EXPERIMENTS) expectAssignment(all[experiment]!, experiment)
        const verified = splitter.verifyOverrides(key as string, 0)
        check(typeof verified === 'object' && verified !== null, 'verifyOverrides answered', typeof verified)
        expectReports()
        expectPrototypesUntouched()
      }),
      { numRuns: RUNS },
    )
  }, 3_600_000) // the full count takes minutes

  it('the request layer (what every adapter calls) splits hostile headers, cookies, queries and views without throwing', () => {
    const cookieSignature: CookieSignature = {
      sign: (value, secret) => `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`,
      unsign: (signed, secret) => {
        const value = signed.slice(0, signed.lastIndexOf('.'))
        return cookieSignature.sign(value, secret) === signed ? value : false
      },
    }
    const split = createHttpSplit<unknown>({
      splitter,
      onError,
      headers: ['n', 'plan', 'version', 'email', 'constructor', '__proto__'],
      userIdHeader: 'x-user-id',
      cookie: { secret: 'cookie-secret' },
      cookieSignature,
      overrideTokens: true,
      randomId: () => 'minted-id',
      now: () => 0,
      clock: () => 0,
    })
    const member = fc.oneof({ arbitrary: valueSpec, weight: 3 }, fc.constant(undefined), thrown)
    const viewSpec = fc.record({
      headers: fc.dictionary(
        fc.oneof(fc.constantFrom('n', 'plan', 'version', 'email', 'x-user-id', 'cookie', 'splitlane-override', '__proto__', 'constructor')),
        member,
        { maxKeys: 6 },
      ),
      ip: member,
      path: member,
      user: member,
      query: member,
      secure: member,
    })
    const cookies = fc.constantFrom(
      'splitlane_id=forged',
      `splitlane_id=${BIG['header-gte']}`,
      `splitlane_override=${BIG['override-tokens']}`,
      'splitlane_id=a.b.c; __proto__=1',
    )
    fc.assert(
      fc.property(viewSpec, cookies, nameSpec, fc.boolean(), (spec, cookie, experimentOf, revokeView) => {
        tried++
        const answer = (member: unknown): unknown => {
          if (typeof member === 'string' && (THROWN as readonly string[]).includes(member)) throw thrownValue(member as Thrown)
          return member === undefined ? undefined : build(member as Spec)
        }
        const headers = new Map(Object.entries(spec.headers))
        const view: RequestView = {
          header: (name) => (name === 'cookie' && !headers.has('cookie') ? cookie : (answer(headers.get(name)) as string)),
          ip: () => answer(spec.ip) as string,
          path: () => answer(spec.path) as string,
          user: () => answer(spec.user),
          query: () => answer(spec.query),
          secure: () => answer(spec.secure) as boolean,
        }
        errors.length = 0 // each run checks its own reports
        const experiment = build(experimentOf) as string
        const result = split.begin({}, revokeView ? (revokedOf(view) as RequestView) : view)
        for (const name of EXPERIMENTS) expectAssignment(result.assignments[name]!, name)
        for (const [name, value] of result.responseHeaders) {
          check(typeof name === 'string' && typeof value === 'string' && !/[\r\n]/.test(value), 'bad response header', [name, value])
        }
        result.upstream(experiment)
        result.finish({ status: 200 })
        expectReports()
        expectPrototypesUntouched()
      }),
      { numRuns: REQUEST_RUNS },
    )
  }, 3_600_000)
})
