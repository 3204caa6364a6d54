import { describe, expect, it } from 'vitest'
import { ErrorCode, SplitlaneError } from '../errors.js'
import { upstreamOf } from '../request/upstream.js'
import { createSplitter } from '../splitter.js'
import type { JsonValue, SplitlaneConfig } from '../types.js'
import { createRouter } from './router.js'

const llm = { url: 'https://api.example.com/v1/', headers: { Authorization: 'Bearer ${TOKEN}', 'x-org': 'acme' } }

function configWith(values: Record<string, JsonValue | undefined>, revision = 'r1'): SplitlaneConfig {
  return {
    version: 1,
    revision,
    experiments: {
      llm: {
        variants: Object.entries(values).map(([name, value]) => (value === undefined ? { name } : { name, value })),
        control: Object.keys(values)[0]!,
      },
    },
  }
}

/** An environment that counts how often it is read, to show reads happen once per config revision. */
function countingEnv(values: Record<string, string>) {
  const reads = { count: 0 }
  const env = new Proxy(values, {
    get(target, name: string) {
      reads.count++
      return target[name]
    },
  })
  return { env, reads }
}

describe('createRouter().proxy', () => {
  it('gives the variant its base URL (path prefix kept, trailing slash dropped) and its headers, names lower-case', () => {
    const splitter = createSplitter({ config: configWith({ control: 'http://control.internal', canary: llm }) })
    const router = createRouter({ splitter, experiment: 'llm', env: { TOKEN: 't0ken' } })
    expect(router.proxy('canary')).toEqual({
      url: 'https://api.example.com/v1',
      origin: 'https://api.example.com',
      path: '/v1',
      headers: [
        ['authorization', 'Bearer t0ken'],
        ['x-org', 'acme'],
      ],
    })
    expect(router.proxy('control')).toEqual({ url: 'http://control.internal', origin: 'http://control.internal', path: '', headers: [] })
  })

  it("sends a variant without a URL to control's upstream, its own headers over control's", () => {
    const splitter = createSplitter({
      config: configWith({ control: llm, bare: undefined, keyed: { headers: { authorization: 'Bearer ${OTHER}' }, model: 'small' } }),
    })
    const router = createRouter({ splitter, experiment: 'llm', env: { TOKEN: 'one', OTHER: 'two' } })
    expect(router.proxy('bare')).toEqual({
      url: 'https://api.example.com/v1',
      origin: 'https://api.example.com',
      path: '/v1',
      headers: [
        ['authorization', 'Bearer one'],
        ['x-org', 'acme'],
      ],
    })
    expect(router.proxy('keyed')).toEqual({
      url: 'https://api.example.com/v1',
      origin: 'https://api.example.com',
      path: '/v1',
      headers: [
        ['authorization', 'Bearer two'],
        ['x-org', 'acme'],
      ],
    })
    expect(router.proxy(null)).toEqual(router.proxy('bare'))
  })

  it('says what is wrong: a missing variable by name (never a value), an invalid value, no URL anywhere, a non-http URL', () => {
    const splitter = createSplitter({
      config: configWith({ control: undefined, canary: llm, broken: 42, ws: 'ws://socket.internal', nothing: { model: 'm' } }),
    })
    const router = createRouter({ splitter, experiment: 'llm', env: { OTHER: 'secret-value' } })
    const missing = router.proxy('canary') as SplitlaneError
    expect(missing).toBeInstanceOf(SplitlaneError)
    expect(missing.code).toBe(ErrorCode.UpstreamEnvMissing)
    expect(missing.message).toContain('TOKEN')
    expect(missing.message).not.toContain('secret-value')
    expect((router.proxy('broken') as SplitlaneError).code).toBe(ErrorCode.UpstreamInvalid)
    expect((router.proxy('ws') as SplitlaneError).message).toContain('not http(s)')
    expect((router.proxy('nothing') as SplitlaneError).message).toContain('nor has control')
    expect((router.proxy('control') as SplitlaneError).code).toBe(ErrorCode.UpstreamInvalid)
  })

  it('resolves once per config revision: the same target object, the environment read once, and an update picked up', () => {
    const splitter = createSplitter({ config: configWith({ control: llm }) })
    const { env, reads } = countingEnv({ TOKEN: 'first' })
    const router = createRouter({ splitter, experiment: 'llm', env })
    const first = router.proxy('control')
    const readsAfterFirst = reads.count
    expect(readsAfterFirst).toBeGreaterThan(0)
    for (let i = 0; i < 100; i++) expect(router.proxy('control')).toBe(first)
    expect(reads.count).toBe(readsAfterFirst)

    expect(splitter.update(configWith({ control: { ...llm, url: 'https://other.example/v2' } }, 'r2'))).toMatchObject({ ok: true })
    expect(router.proxy('control')).toMatchObject({
      url: 'https://other.example/v2',
      headers: [
        ['authorization', 'Bearer first'],
        ['x-org', 'acme'],
      ],
    })
    expect(reads.count).toBeGreaterThan(readsAfterFirst)
    // a rejected update keeps the good config, and so the cached target
    const cached = router.proxy('control')
    expect(splitter.update({ version: 1, experiments: { llm: { variants: [{ name: 'a', weight: -1 }] } } }).ok).toBe(false)
    expect(router.proxy('control')).toBe(cached)
  })
})

describe('upstreamOf', () => {
  it("resolves the assignment's variant with the env it is given, and is cached per splitter and env", () => {
    const splitter = createSplitter({ config: configWith({ control: llm }) })
    const assignments = { llm: splitter.assign('llm', { key: 'someone' }) }
    const { env, reads } = countingEnv({ TOKEN: 'from-env' })
    const result = upstreamOf(splitter, assignments, 'llm', env)
    expect(result).toMatchObject({
      ok: true,
      url: 'https://api.example.com/v1',
      headers: [
        ['authorization', 'Bearer from-env'],
        ['x-org', 'acme'],
      ],
      assignment: assignments.llm,
    })
    const readsAfterFirst = reads.count
    expect(upstreamOf(splitter, assignments, undefined, env)).toEqual(result)
    expect(reads.count).toBe(readsAfterFirst)
    // without an env, nothing is set: the variable is missing
    const bare = upstreamOf(splitter, assignments, 'llm')
    expect(bare.ok === false && bare.error.code).toBe(ErrorCode.UpstreamEnvMissing)
  })

  it('needs the experiment named when a route assigns several, and assigned on this route', () => {
    const splitter = createSplitter({
      config: { version: 1, experiments: { a: { variants: [{ name: 'x', value: 'http://a' }] }, b: { variants: [{ name: 'y' }] } } },
    })
    const assignments = splitter.assignAll({ key: 'k' })
    for (const [experiment, message] of [
      [undefined, 'name the experiment'],
      ['c', 'is not assigned'],
    ] as const) {
      const result = upstreamOf(splitter, assignments, experiment)
      expect(result.ok === false && result.error.message).toContain(message)
    }
    expect(upstreamOf(splitter, assignments, 'a')).toMatchObject({ ok: true, url: 'http://a', headers: [] })
  })
})
