import { describe, expect, it } from 'vitest'
import { createHmac } from 'node:crypto'
import { mintOverrideToken } from '../override-tokens.js'
import { createSplitter } from '../splitter.js'
import type { SplitlaneError } from '../errors.js'
import type { SplitlaneConfig } from '../types.js'
import { createHttpSplit } from './split.js'
import type { HttpOutcome, HttpSplitOptions, RequestView } from './types.js'

const config: SplitlaneConfig = {
  version: 1,
  revision: 'r1',
  experiments: {
    checkout: {
      variants: [
        { name: 'control', weight: 50, value: 'http://a' },
        { name: 'canary', weight: 50, value: 'http://b' },
      ],
      overrides: { 'qa-user': 'canary' },
    },
    search: { variants: [{ name: 'v1' }, { name: 'v2' }] },
  },
}

function view(headers: Record<string, string | string[]> = {}, extra: Partial<RequestView> = {}): RequestView {
  return { header: (name) => headers[name], ip: () => '203.0.113.7', path: () => '/cart', ...extra }
}

/** Most tests here are about reading the request, not signing: their cookie holds the id in clear (`signed: false`). */
function setup(options: Partial<HttpSplitOptions<{ id?: string }>> = {}) {
  const errors: SplitlaneError[] = []
  const records: { experiment: string; variant: string | null; outcome: HttpOutcome }[] = []
  let clock = 100
  let minted = 0
  const split = createHttpSplit<{ id?: string }>({
    splitter: createSplitter({ config }),
    onError: (error) => errors.push(error),
    metrics: { record: ({ experiment, variant }, outcome) => records.push({ experiment, variant, outcome }) },
    randomId: () => `minted-${++minted}`,
    now: () => (clock += 5),
    cookie: { signed: false },
    ...options,
  })
  return { split, errors, records }
}

const fail = (): never => {
  throw new Error('boom')
}

describe('createHttpSplit', () => {
  it('mints a session id, sets the sticky cookie, and honours it on the next request', () => {
    const { split, errors } = setup()
    const first = split.begin({}, view())
    expect(first.context.key).toBe('minted-1')
    const cookie = first.responseHeaders.find(([name]) => name === 'set-cookie')![1]
    expect(cookie).toBe('splitlane_id=minted-1; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax')
    const second = split.begin({}, view({ cookie: 'other=1; splitlane_id=minted-1' }))
    expect(second.context.key).toBe('minted-1')
    expect(second.context.attributes).toEqual({ sessionId: 'minted-1' })
    expect(second.responseHeaders.some(([name]) => name === 'set-cookie')).toBe(false)
    expect(second.assignments['checkout']!.variant).toBe(first.assignments['checkout']!.variant)
    expect(errors).toEqual([])
  })

  it('reuses an id an earlier split of the same request minted, without setting the cookie twice', () => {
    const { split } = setup()
    const first = split.begin({}, view())
    const second = split.begin({}, view({}, { mintedId: () => first.mintedId }))
    expect(second.context.key).toBe(first.mintedId)
    expect(second.mintedId).toBeUndefined()
    expect(second.responseHeaders.some(([name]) => name === 'set-cookie')).toBe(false)
  })

  it('without randomId, mints nothing: a visitor without a cookie gets control, reason no_key, and no error', () => {
    const { split, errors } = setup({ randomId: undefined })
    const request = split.begin({}, view())
    expect(request.assignments['checkout']).toMatchObject({ variant: 'control', reason: 'no_key' })
    expect(request.responseHeaders.some(([name]) => name === 'set-cookie')).toBe(false)
    expect(errors).toEqual([])
  })

  it('sets Secure on HTTPS requests by default, or as configured', () => {
    const auto = setup().split.begin({}, view({}, { secure: () => true }))
    expect(auto.responseHeaders.find(([name]) => name === 'set-cookie')![1]).toMatch(/; Secure/)
    const off = setup({ cookie: { signed: false, secure: false, name: 'sid', maxAgeSeconds: 60 } }).split.begin(
      {},
      view({}, { secure: () => true }),
    )
    expect(off.responseHeaders.find(([name]) => name === 'set-cookie')![1]).toBe('sid=minted-1; Max-Age=60; Path=/; HttpOnly; SameSite=Lax')
  })

  it('prefers getKey, then req.user, then the user-id header, then the cookie', () => {
    const { split } = setup({ userIdHeader: 'X-User-Id', getKey: (request) => request.id })
    const headers = { 'x-user-id': 'header-user', cookie: 'splitlane_id=session-1' }
    expect(split.begin({ id: 'custom' }, view(headers, { user: () => ({ id: 42 }) })).context.key).toBe('custom')
    expect(split.begin({}, view(headers, { user: () => ({ id: 42 }) })).context.key).toBe('42')
    expect(split.begin({}, view(headers)).context).toMatchObject({
      key: 'header-user',
      attributes: { userId: 'header-user', sessionId: 'session-1' },
    })
    expect(split.begin({}, view({ cookie: 'splitlane_id=session-1' })).context.key).toBe('session-1')
  })

  it('copies chosen headers and getAttributes into the attributes, reading ip, path and headers only when the config uses them', () => {
    const targeted: SplitlaneConfig = {
      version: 1,
      segments: { local: { attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8'] } },
      experiments: {
        checkout: {
          variants: [{ name: 'control' }, { name: 'canary' }],
          rules: [
            {
              id: 'beta',
              when: { any: [{ segment: 'local' }, { attribute: 'path', op: 'startsWith', values: ['/beta'] }] },
              variant: 'canary',
            },
          ],
        },
        search: { variants: [{ name: 'v1' }, { name: 'v2' }], bucketBy: ['accept-language'] },
      },
    }
    const options = { headers: ['Accept-Language', 'X-Unused'], getAttributes: () => ({ country: 'DE' }) }
    const headers = { 'accept-language': 'de', 'x-unused': 'u', cookie: 'splitlane_id=s' }
    const { context } = setup({ ...options, splitter: createSplitter({ config: targeted }) }).split.begin({}, view(headers))
    expect(context.attributes).toEqual({ ip: '203.0.113.7', path: '/cart', 'accept-language': 'de', sessionId: 's', country: 'DE' })

    // a config whose rules and bucketBy name none of them: the (here throwing) getters are never called
    const { split, errors } = setup(options)
    const plain = split.begin({}, view(headers, { ip: fail, path: fail }))
    expect(plain.context.attributes).toEqual({ sessionId: 's', country: 'DE' })
    expect(errors).toEqual([])
  })

  it('assigns every experiment, or the named ones, and writes the variant header', () => {
    const all = setup().split.begin({}, view({ cookie: 'splitlane_id=s' }))
    expect(Object.keys(all.assignments)).toEqual(['checkout', 'search'])
    expect(all.upstreamHeader).toEqual([
      'splitlane-variant',
      `checkout=${all.assignments['checkout']!.variant}, search=${all.assignments['search']!.variant}`,
    ])
    const named = setup({ experiments: ['search'], responseHeader: 'X-Variant' }).split.begin({}, view({ cookie: 'splitlane_id=s' }))
    expect(Object.keys(named.assignments)).toEqual(['search'])
    expect(named.responseHeaders[0]![0]).toBe('x-variant')
    expect(Object.keys(setup().split.begin({}, view(), ['checkout']).assignments)).toEqual(['checkout'])
    expect(setup({ responseHeader: false }).split.begin({}, view({ cookie: 'splitlane_id=s' })).responseHeaders).toEqual([])
  })

  it('records the outcome once per experiment with latency from the clock', () => {
    const { split, records } = setup({ experiments: ['checkout'] })
    const request = split.begin({}, view({ cookie: 'splitlane_id=qa-user' }))
    request.finish({ status: 503 })
    request.finish({ status: 200 })
    expect(records).toEqual([{ experiment: 'checkout', variant: 'canary', outcome: { status: 503, error: undefined, latencyMs: 5 } }])
    const thrown = split.begin({}, view({ cookie: 'splitlane_id=qa-user' }))
    thrown.finish({ error: true })
    expect(records[1]!.outcome).toEqual({ status: undefined, error: true, latencyMs: 5 })
  })

  type Case = [string, Partial<HttpSplitOptions<{ id?: string }>>, Record<string, string | string[]>, string]
  it.each<Case>([
    ['a throwing getKey', { getKey: fail }, {}, 'SPLITLANE_ERR_GETTER_FAILED'],
    ['getKey returning an object', { getKey: () => ({}) as unknown as string }, {}, 'SPLITLANE_ERR_GETTER_FAILED'],
    ['a throwing getAttributes', { getAttributes: fail }, {}, 'SPLITLANE_ERR_GETTER_FAILED'],
    ['a broken cookie', {}, { cookie: 'splitlane_id=%E0%A4%A' }, 'SPLITLANE_ERR_REQUEST_INVALID'],
    ['a cookie that is not an id', {}, { cookie: 'splitlane_id=<script>' }, 'SPLITLANE_ERR_REQUEST_INVALID'],
    ['a repeated user-id header', { userIdHeader: 'x-user-id' }, { 'x-user-id': ['a', 'b'] }, 'SPLITLANE_ERR_REQUEST_INVALID'],
    ['an overlong user-id header', { userIdHeader: 'x-user-id' }, { 'x-user-id': 'u'.repeat(300) }, 'SPLITLANE_ERR_REQUEST_INVALID'],
    ['a throwing randomId', { randomId: fail }, {}, 'SPLITLANE_ERR_GETTER_FAILED'],
    ['randomId returning junk', { randomId: () => 'not an id!' }, {}, 'SPLITLANE_ERR_GETTER_FAILED'],
  ])('%s gives control, reason error, and an onError report', (_, options, headers, code) => {
    const { split, errors, records } = setup({ ...options, experiments: ['checkout'] })
    const request = split.begin({}, view(headers))
    expect(request.assignments['checkout']).toMatchObject({ variant: 'control', reason: 'error', errorCode: code, inExperiment: false })
    expect(errors.map((error) => error.code)).toContain(code)
    request.finish({ status: 200 })
    expect(records).toHaveLength(1)
  })

  it('a throwing request view gives control and a report', () => {
    const { split, errors } = setup()
    const boom = () => {
      throw new Error('boom')
    }
    const request = split.begin({}, { header: boom, ip: boom, path: boom, user: boom, secure: boom })
    expect(Object.values(request.assignments).map((assignment) => assignment.reason)).toEqual(['error', 'error'])
    expect(errors.length).toBeGreaterThan(0)
  })

  it('a broken metrics recorder or instrumentation is reported, never thrown', () => {
    const boom = () => {
      throw new Error('boom')
    }
    const { split, errors } = setup({ metrics: { record: boom }, otel: { assigned: boom, finished: boom, inherited: boom, run: boom } })
    const request = split.begin({}, view({ cookie: 'splitlane_id=s' }))
    expect(request.run(() => 'ran')).toBe('ran')
    request.finish({ status: 200 })
    expect(errors.map((error) => error.code).every((code) => code === 'SPLITLANE_ERR_CALLBACK_FAILED')).toBe(true)
    expect(errors).toHaveLength(6)
  })

  it('honours inherited variants that exist, and ignores those that do not', () => {
    for (const variant of ['control', 'canary']) {
      const { split } = setup({ otel: { inherited: () => ({ checkout: variant, search: 'nope' }) } })
      const request = split.begin({}, view({ cookie: 'splitlane_id=s' }))
      expect(request.assignments['checkout']).toMatchObject({ variant, reason: 'override', source: 'baggage', keyFrom: 'key' })
      expect(request.assignments['checkout']!.value).toBe(variant === 'canary' ? 'http://b' : 'http://a')
      expect(request.assignments['search']!.reason).toBe('split')
    }
  })

  it('the kill switch beats inherited baggage: enabled false serves control to everyone', () => {
    const off = { ...config, experiments: { ...config.experiments, checkout: { ...config.experiments['checkout']!, enabled: false } } }
    const { split } = setup({ splitter: createSplitter({ config: off }), otel: { inherited: () => ({ checkout: 'canary' }) } })
    const request = split.begin({}, view({ cookie: 'splitlane_id=s' }))
    expect(request.assignments['checkout']).toMatchObject({ variant: 'control', reason: 'disabled' })
  })

  it('a config override beats inherited baggage', () => {
    const { split } = setup({ otel: { inherited: () => ({ checkout: 'control' }) }, userIdHeader: 'x-user-id' })
    const request = split.begin({}, view({ 'x-user-id': 'qa-user' }))
    expect(request.assignments['checkout']).toMatchObject({ variant: 'canary', reason: 'override', source: 'config' })
  })

  it('run passes the caller’s own exceptions through', () => {
    const { split } = setup({ otel: { run: (_, fn) => fn() } })
    const request = split.begin({}, view())
    expect(() =>
      request.run(() => {
        throw new Error('handler failed')
      }),
    ).toThrow('handler failed')
  })
})

describe('override tokens on the request path', () => {
  it('reports a splitter whose signer is asynchronous and assigns as if there were no token', async () => {
    const subtle = globalThis.crypto.subtle
    const key = await subtle.importKey('raw', new TextEncoder().encode('secret'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const sign = async (message: string) => new Uint8Array(await subtle.sign('HMAC', key, new TextEncoder().encode(message)))
    const splitter = createSplitter({ config, overrideTokens: { sign } })
    const { split, errors } = setup({ splitter, overrideTokens: { header: 'x-force', query: false, cookie: false }, clock: () => 0 })
    const token = await mintOverrideToken({ experiment: 'checkout', variant: 'canary', expiresAt: 9_999_999_999_000, sign })
    const result = split.begin({}, view({ 'x-force': token }))
    expect(result.assignments['checkout']!.reason).toBe('split') // not 'override'
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_OPTIONS_INVALID'])
    expect(errors[0]!.message).toMatch(/synchronous overrideTokens.sign/)
  })

  it('reports a request view that throws while tokens are read, and goes on', () => {
    const { split, errors } = setup({ overrideTokens: true })
    const broken = view(
      {},
      {
        query: () => {
          throw new Error('bad query')
        },
      },
    )
    expect(split.begin({}, broken).assignments['checkout']!.variant).not.toBeNull()
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_REQUEST_INVALID'])
  })
})

describe('the signed sticky cookie', () => {
  // cookie-signature's format (what Express and Fastify use), built on node:crypto for the test
  const hmac = (value: string, secret: string) => createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')
  const cookieSignature = {
    sign: (value: string, secret: string) => `${value}.${hmac(value, secret)}`,
    unsign: (signed: string, secret: string) => {
      const value = signed.slice(0, signed.lastIndexOf('.'))
      return cookieSignature.sign(value, secret) === signed ? value : false
    },
  }
  const signed = (secret: string | string[] = 'new-secret') => setup({ cookie: { secret }, cookieSignature })
  const cookieOf = (headers: readonly (readonly [string, string])[]) => headers.find(([name]) => name === 'set-cookie')?.[1]

  it('mints a signed id and honours it; an id sent in clear, tampered or forged is replaced and gets control', () => {
    const { split, errors } = signed()
    const first = split.begin({}, view())
    const setCookie = cookieOf(first.responseHeaders)!
    expect(setCookie).toMatch(/^splitlane_id=minted-1\.[A-Za-z0-9%]+;/)
    const pair = setCookie.split(';', 1)[0]!
    const again = split.begin({}, view({ cookie: pair }))
    expect(again.assignments['checkout']).toMatchObject({ key: 'minted-1', reason: 'split' })
    expect(cookieOf(again.responseHeaders)).toBeUndefined()
    for (const forged of ['splitlane_id=minted-1', `${pair.slice(0, -3)}abc`, 'splitlane_id=other.c2lnbmF0dXJl']) {
      const result = split.begin({}, view({ cookie: forged }))
      expect(result.assignments['checkout']).toMatchObject({ variant: 'control', reason: 'error' })
      expect(cookieOf(result.responseHeaders)).toMatch(/^splitlane_id=minted-\d+\./)
    }
    expect(errors.map((error) => error.code)).toEqual(Array(3).fill('SPLITLANE_ERR_REQUEST_INVALID'))
  })

  it('a request that cannot be read gets control, also where a random draw or a rule on missing attributes would pick another variant', () => {
    const hostile: SplitlaneConfig = {
      version: 1,
      experiments: {
        drawn: {
          variants: [
            { name: 'control', value: 'http://a' },
            { name: 'canary', value: 'http://b' },
          ],
          mode: 'random',
        },
        pinned: {
          variants: [{ name: 'control' }, { name: 'canary' }],
          rules: [{ id: 'anonymous', when: { attribute: 'plan', op: 'exists', negate: true }, variant: 'canary' }],
        },
      },
    }
    const splitter = createSplitter({ config: hostile, random: () => 0.99 })
    const { split } = setup({ splitter, cookie: { secret: 'new-secret' }, cookieSignature })
    const { assignments } = split.begin({}, view({ cookie: 'splitlane_id=forged' }))
    for (const name of ['drawn', 'pinned'])
      expect(assignments[name]).toMatchObject({ variant: 'control', reason: 'error', inExperiment: false, hash: null, bucket: null })
    expect(assignments['drawn']!.value).toBe('http://a')
    expect(assignments['pinned']!.ruleId).toBeUndefined()
  })

  it('upstream never throws on an experiment name that is not a string, and reads own entries only', () => {
    const { split } = setup()
    const result = split.begin({}, view({ cookie: 'splitlane_id=minted-1' }))
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const answer = result.upstream(proxy as unknown as string) // threw TypeError: the name was used as a property key
    expect(answer).toMatchObject({ ok: false, error: { code: 'SPLITLANE_ERR_UPSTREAM_INVALID' } })
    expect(result.upstream('constructor', { ...result.assignments })).toMatchObject({
      ok: false,
      error: { code: 'SPLITLANE_ERR_UPSTREAM_INVALID' },
    })
  })

  it('a header view that returns a list of non-strings still splits the request (joining them threw outside the guard)', () => {
    const headed: SplitlaneConfig = {
      version: 1,
      experiments: {
        e: {
          variants: [{ name: 'a' }, { name: 'b' }],
          rules: [{ id: 'r', when: { attribute: 'x-n', op: 'gte', values: [1] }, variant: 'b' }],
        },
      },
    }
    const { split, errors } = setup({ splitter: createSplitter({ config: headed }), headers: ['x-n'] })
    const result = split.begin({}, view({ 'x-n': [Object.create(null) as string, '5'], cookie: 'splitlane_id=u1' }))
    expect(result.assignments['e']).toMatchObject({ variant: 'b', reason: 'rule' })
    expect(errors).toEqual([])
  })

  it('rotates secrets: the first signs, every one verifies, and a cookie of an older one is signed again with the first', () => {
    const old = cookieOf(signed('old-secret').split.begin({}, view()).responseHeaders)!.split(';', 1)[0]!
    const { split } = signed(['new-secret', 'old-secret'])
    const rotated = split.begin({}, view({ cookie: old }))
    expect(rotated.assignments['checkout']).toMatchObject({ key: 'minted-1', reason: 'split' })
    const resigned = cookieOf(rotated.responseHeaders)!.split(';', 1)[0]!
    expect(resigned).toBe(`splitlane_id=minted-1.${encodeURIComponent(hmac('minted-1', 'new-secret'))}`)
    expect(rotated.mintedId).toBe('minted-1')
    // once per request: a second split of it (another middleware) reuses what the first set
    expect(cookieOf(split.begin({}, view({ cookie: old }, { mintedId: () => 'minted-1' })).responseHeaders)).toBeUndefined()
    const current = split.begin({}, view({ cookie: resigned }))
    expect(current.assignments['checkout']).toMatchObject({ key: 'minted-1', reason: 'split' })
    expect(cookieOf(current.responseHeaders)).toBeUndefined()
    expect(cookieOf(split.begin({}, view()).responseHeaders)).toContain(encodeURIComponent(hmac('minted-1', 'new-secret')))
    expect(signed('other').split.begin({}, view({ cookie: old })).assignments['checkout']!.reason).toBe('error')
  })

  it('signed: true without a secret, or an empty secret, is a construction error', () => {
    expect(() => setup({ cookie: { signed: true }, cookieSignature })).toThrow(/needs a secret/)
    expect(() => setup({ cookie: { secret: [] }, cookieSignature })).toThrow(/needs a secret/)
    expect(() => setup({ cookie: { secret: 's' } })).toThrow(/cookieSignature/)
  })

  it('is signed by default: without a secret it refuses to start, naming the variable, the option and signed: false', () => {
    for (const cookie of [undefined, {}, { name: 'sid' }]) {
      let thrown: unknown
      try {
        setup({ cookie, cookieSignature })
      } catch (error) {
        thrown = error
      }
      expect(thrown).toMatchObject({ code: 'SPLITLANE_ERR_COOKIE_SECRET_MISSING' })
      for (const named of ['SPLITLANE_COOKIE_SECRET', 'cookie: { secret }', 'cookie: { signed: false }'])
        expect((thrown as Error).message).toContain(named)
    }
    // an empty variable counts as unset: it would sign with a secret everyone knows
    expect(() => setup({ cookie: {}, cookieSignature, cookieSecretFromEnv: '' })).toThrow(/SPLITLANE_COOKIE_SECRET/)
  })

  it('takes the secret from the environment when cookie.secret is not given; cookie.secret wins', () => {
    const fromEnv = setup({ cookie: {}, cookieSignature, cookieSecretFromEnv: 'env-secret' }).split.begin({}, view())
    expect(cookieOf(fromEnv.responseHeaders)).toContain(encodeURIComponent(hmac('minted-1', 'env-secret')))
    const given = setup({ cookie: { secret: 'given' }, cookieSignature, cookieSecretFromEnv: 'env-secret' }).split.begin({}, view())
    expect(cookieOf(given.responseHeaders)).toContain(encodeURIComponent(hmac('minted-1', 'given')))
    const forged = setup({ cookie: {}, cookieSignature, cookieSecretFromEnv: 'env-secret' }).split.begin(
      {},
      view({ cookie: 'splitlane_id=pick-me' }),
    )
    expect(forged.assignments['checkout']).toMatchObject({ variant: 'control', reason: 'error' })
    expect(forged.context.key).not.toBe('pick-me')
  })

  it('prepare verifies and signs ahead of begin for asynchronous signatures', async () => {
    const asyncSignature = {
      sign: (value: string, secret: string) => Promise.resolve(cookieSignature.sign(value, secret)),
      unsign: (value: string, secret: string): Promise<string | false> => {
        const id: unknown = cookieSignature.unsign(value, secret)
        return Promise.resolve(typeof id === 'string' ? id : false)
      },
    }
    const { split } = setup({ cookie: { secret: 's' }, cookieSignature: asyncSignature })
    const first = split.begin({}, view(), undefined, await split.prepare(view()))
    const pair = cookieOf(first.responseHeaders)!.split(';', 1)[0]!
    const again = split.begin({}, view({ cookie: pair }), undefined, await split.prepare(view({ cookie: pair })))
    expect(again.assignments['checkout']!.key).toBe(first.assignments['checkout']!.key)
    const forged = view({ cookie: 'splitlane_id=minted-1' })
    expect(split.begin({}, forged, undefined, await split.prepare(forged)).assignments['checkout']!.reason).toBe('error')
    // rotation: a cookie of the older secret is honoured and signed again with the first
    const rotated = setup({ cookie: { secret: ['new', 's'] }, cookieSignature: asyncSignature }).split
    const old = view({ cookie: pair })
    const result = rotated.begin({}, old, undefined, await rotated.prepare(old))
    expect(result.assignments['checkout']!.key).toBe(first.assignments['checkout']!.key)
    expect(cookieOf(result.responseHeaders)).toContain(encodeURIComponent(hmac(result.assignments['checkout']!.key!, 'new')))
  })
})

describe('hostile request headers', () => {
  it('a user-id header repeated (joined by a comma) or with control characters gives control and a report', () => {
    for (const value of ['alice, bob', 'alice\u0001']) {
      const { split, errors } = setup({ userIdHeader: 'x-user-id' })
      expect(split.begin({}, view({ 'x-user-id': value })).assignments['checkout']).toMatchObject({ variant: 'control', reason: 'error' })
      expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_REQUEST_INVALID'])
    }
  })

  it('reads at most 8 override tokens per request and reports the rest once', () => {
    const errors: SplitlaneError[] = []
    const sign = (message: string) => createHmac('sha256', 'k').update(message).digest()
    const splitter = createSplitter({ config, overrideTokens: { sign }, onError: (error) => errors.push(error) })
    const { split } = setup({ splitter, overrideTokens: true, clock: () => 0 })
    split.begin({}, view({ 'splitlane-override': Array(7500).fill('x').join(',') }))
    expect(errors).toHaveLength(9)
    expect(errors.filter((error) => /more than 8 override tokens/.test(error.message))).toHaveLength(1)
  })
})
