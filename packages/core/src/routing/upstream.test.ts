import { describe, expect, it } from 'vitest'
import { ErrorCode, SplitlaneError } from '../errors.js'
import { costOf, parseUpstream, resolveHeaders, rewriteUrl } from './upstream.js'

describe('parseUpstream', () => {
  it('reads a URL string or an object, and says what is wrong otherwise', () => {
    expect(parseUpstream('http://127.0.0.1:3001/')).toEqual({ url: 'http://127.0.0.1:3001' })
    expect(parseUpstream({ url: 'https://api.example.com/v1', model: 'gpt-4o', prices: { prompt: 2.5, completion: 10 } })).toEqual({
      url: 'https://api.example.com/v1',
      model: 'gpt-4o',
      prices: { prompt: 2.5, completion: 10 },
    })
    expect(parseUpstream({ model: 'gpt-4o-mini' })).toEqual({ url: null, model: 'gpt-4o-mini' })
    expect(parseUpstream(null)).toBeNull()
    const bads = [
      'not a url',
      42,
      { url: '/relative' },
      { headers: { a: 1 } },
      { headers: { 'bad name': 'x' } },
      { prices: { prompt: -1, completion: 1 } },
    ]
    for (const bad of bads) {
      const error = parseUpstream(bad as never, 'exp')
      expect(error).toBeInstanceOf(SplitlaneError)
      expect((error as SplitlaneError).code).toBe(ErrorCode.UpstreamInvalid)
    }
  })
})

describe('rewriteUrl', () => {
  it('replaces the origin and prepends the upstream path prefix', () => {
    expect(rewriteUrl('http://api.internal/v1/chat?x=1', 'http://127.0.0.1:3002/base', [])).toBe('http://127.0.0.1:3002/base/v1/chat?x=1')
    expect(rewriteUrl('http://api.internal', 'http://127.0.0.1:3002', [])).toBe('http://127.0.0.1:3002')
  })
  it('replaces a known base as a whole, so calls written against control keep their path', () => {
    const bases = ['https://a.example/v1', 'https://b.example/openai/v1']
    expect(rewriteUrl('https://a.example/v1/chat/completions', 'https://b.example/openai/v1', bases)).toBe(
      'https://b.example/openai/v1/chat/completions',
    )
    expect(rewriteUrl('https://a.example/v10/x', 'https://b.example/p', bases)).toBe('https://b.example/p/v10/x')
  })
  it('keeps the URL when the variant names no upstream', () => {
    expect(rewriteUrl('http://x/y', null, [])).toBe('http://x/y')
  })
})

describe('resolveHeaders', () => {
  it('takes ${NAME} from the environment and names a missing variable without leaking values', () => {
    expect(resolveHeaders({ authorization: 'Bearer ${KEY}', 'x-org': 'acme' }, { KEY: 's3cret' })).toEqual([
      ['authorization', 'Bearer s3cret'],
      ['x-org', 'acme'],
    ])
    const error = resolveHeaders({ authorization: 'Bearer ${MISSING_KEY}' }, {}) as SplitlaneError
    expect(error.code).toBe(ErrorCode.UpstreamEnvMissing)
    expect(error.message).toContain('MISSING_KEY')
  })
  it('refuses a value HTTP does not allow (a line break from the environment) without leaking it', () => {
    const error = resolveHeaders({ authorization: 'Bearer ${KEY}' }, { KEY: 'abc\r\nx-injected: 1' }) as SplitlaneError
    expect(error.code).toBe(ErrorCode.UpstreamInvalid)
    expect(error.message).toContain('authorization')
    expect(error.message).not.toContain('abc')
  })
  it('reads own variables only: ${constructor} or ${toString} is missing, not a function of Object', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const error = resolveHeaders({ 'x-key': `\${${name}}` }, { KEY: 'set' }) as SplitlaneError
      expect(error).toBeInstanceOf(SplitlaneError)
      expect(error.code).toBe(ErrorCode.UpstreamEnvMissing)
      expect(error.message).toContain(name)
    }
    expect(resolveHeaders({ 'x-key': '${KEY}' }, Object.create({ KEY: 'inherited' }) as Record<string, string>)).toMatchObject({
      code: ErrorCode.UpstreamEnvMissing,
    })
  })
  it('treats a refused read (Deno without --allow-env throws NotCapable) as a missing variable', () => {
    const refusing = new Proxy(
      {},
      {
        get: () => {
          throw new Error('NotCapable: Requires env access')
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('NotCapable: Requires env access')
        },
      },
    )
    const getter = Object.defineProperty({}, 'KEY', {
      enumerable: true,
      get: () => {
        throw new Error('NotCapable: Requires env access to "KEY"')
      },
    }) as Record<string, string>
    for (const env of [refusing, getter]) {
      const error = resolveHeaders({ authorization: 'Bearer ${KEY}' }, env) as SplitlaneError
      expect(error).toBeInstanceOf(SplitlaneError)
      expect(error.code).toBe(ErrorCode.UpstreamEnvMissing)
    }
  })
})

describe('costOf', () => {
  it('prices tokens per million', () => {
    expect(costOf({ prompt: 0.15, completion: 0.6 }, 1_000_000, 500_000)).toBeCloseTo(0.45, 12)
    expect(costOf(undefined, 10, 10)).toBeUndefined()
    expect(costOf({ prompt: 1, completion: 1 }, undefined, undefined)).toBeUndefined()
  })
})
