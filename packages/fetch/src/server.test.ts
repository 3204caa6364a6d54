import { webcrypto } from 'node:crypto'
import {
  createMetricsRecorder,
  createSplitter,
  createWebCryptoHmac,
  mintOverrideToken,
  parseVariantHeader,
  type SplitlaneConfig,
  type SplitlaneError,
} from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signedCookie } from '@splitlane/test-utils'
import { serveFetch, type FetchServer } from '../test/node-server.js'
import { startUpstream, type TestServer } from '../test/servers.js'
import { assignmentsOf, byVariant, proxyByVariant, withSplitlane } from './index.js'

let upstreams: TestServer[]
const servers: FetchServer[] = []
beforeAll(async () => {
  upstreams = await Promise.all(['v1', 'v2'].map((name) => startUpstream(name)))
})
afterAll(() => Promise.all([...servers, ...upstreams].map((server) => server.close())))

const config = (): SplitlaneConfig => ({
  version: 1,
  experiments: { api: { variants: upstreams.map((upstream, i) => ({ name: `v${i + 1}`, value: upstream.url })) } },
})

describe('withSplitlane', () => {
  it('splits any Fetch handler: sticky cookie, variant header, per-variant metrics, byVariant and proxy', async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const routed = byVariant({ v1: () => new Response('handler one') }, () => new Response('default handler'), { splitter })
    const proxy = proxyByVariant({ stripPrefix: '/proxy' })
    const app = withSplitlane(
      (request: Request) => {
        const path = new URL(request.url).pathname
        if (path === '/routed') return routed(request)
        if (path.startsWith('/proxy')) return proxy(request)
        return Response.json(assignmentsOf(request))
      },
      { splitter, metrics, cookie: { secret: 'fetch-cookie-secret' } },
    )
    const server = await serveFetch(app)
    servers.push(server)
    const first = await fetch(`${server.url}/whoami`)
    const cookie = first.headers.getSetCookie()[0]!
    const id = /^splitlane_id=([0-9a-f-]{36})\.[A-Za-z0-9%]{43,}; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax$/.exec(cookie)![1]!
    expect(cookie.split(';')[0]).toBe(signedCookie(id, 'fetch-cookie-secret')) // WebCrypto signs as cookie-signature does
    const variant = splitter.variantOf('api', id)!
    const body = (await first.json()) as Record<string, { variant: string; key: string }>
    expect(body.api).toMatchObject({ variant, key: id })
    expect(parseVariantHeader(first.headers.get('splitlane-variant'))).toEqual({ api: variant })

    const headers = { cookie: cookie.split(';')[0]! }
    const routedResponse = await fetch(`${server.url}/routed`, { headers })
    expect(await routedResponse.text()).toBe(variant === 'v1' ? 'handler one' : 'default handler')
    const proxied = await fetch(`${server.url}/proxy/echo?x=1`, { method: 'POST', body: 'payload', headers })
    expect([await proxied.text(), proxied.headers.get('x-upstream')]).toEqual(['payload', variant])
    const upstream = upstreams[Number(variant.slice(1)) - 1]!
    expect(upstream.requests.at(-1)!).toMatchObject({ url: '/echo?x=1', headers: { 'splitlane-variant': `api=${variant}` } })
    expect(metrics.snapshot().experiments.api![variant]!.requests).toBe(3)
  })

  it("rethrows the handler's own error, counted as an error of the variant, and passes extra arguments through", async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const app = withSplitlane(
      (request: Request, env: { greeting: string }) => {
        if (request.url.endsWith('/boom')) throw new Error('handler bug')
        return new Response(env.greeting)
      },
      { splitter, metrics, getKey: () => 'user-1' },
    )
    const env = { greeting: 'hello from env' }
    expect(await (await app(new Request('http://app.local/'), env)).text()).toBe('hello from env')
    await expect(app(new Request('http://app.local/boom'), env)).rejects.toThrow('handler bug')
    const stats = metrics.snapshot().experiments.api![splitter.variantOf('api', 'user-1')!]!
    expect([stats.requests, stats.errors]).toEqual([2, 1])
  })
})

describe('withSplitlane wrapped twice', () => {
  it('splits, labels and counts a request once', async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const options = { splitter, metrics, cookie: false as const, getKey: () => 'k' }
    const server = await serveFetch(
      withSplitlane(
        withSplitlane(() => new Response('ok'), options),
        options,
      ),
    )
    servers.push(server)
    const response = await fetch(server.url)
    await response.text()
    expect(response.headers.get('splitlane-variant')).toMatch(/^api=v[12]$/)
    const stats = metrics.snapshot().experiments['api']!
    expect(Object.values(stats).reduce((sum, variant) => sum + variant.requests, 0)).toBe(1)
  })
})

describe('withSplitlane on a request that refuses new properties', () => {
  it('still finds its split (assignments, routing, one pass when wrapped twice)', async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const options = { splitter, metrics, cookie: false as const, getKey: () => 'k' }
    const seen: string[] = []
    const handler = withSplitlane(
      withSplitlane((request: Request) => (seen.push(assignmentsOf(request)['api']?.variant ?? 'none'), new Response('ok')), options),
      options,
    )
    const response = await handler(Object.freeze(new Request('http://localhost/')))
    expect(seen).toEqual([splitter.variantOf('api', 'k')])
    expect(response.headers.get('splitlane-variant')).toBe(`api=${splitter.variantOf('api', 'k')}`)
    const stats = metrics.snapshot().experiments['api']!
    expect(Object.values(stats).reduce((sum, variant) => sum + variant.requests, 0)).toBe(1)
  })
})

describe('withSplitlane with override tokens signed by WebCrypto (no node:crypto, as on Workers)', () => {
  it('honours a valid token, ignores a forged one, and reports no "synchronous sign" error', async () => {
    const sign = createWebCryptoHmac({ secret: 'token-secret', subtle: webcrypto.subtle })
    const errors: SplitlaneError[] = []
    const splitter = createSplitter({ config: config(), overrideTokens: { sign }, onError: (error) => errors.push(error) })
    const app = withSplitlane((request: Request) => Response.json({ variant: assignmentsOf(request).api!.variant }), {
      splitter,
      overrideTokens: true,
      cookie: false,
      getKey: () => 'user-1',
      onError: (error) => errors.push(error),
    })
    const server = await serveFetch(app)
    servers.push(server)
    const forced = splitter.variantOf('api', 'user-1') === 'v1' ? 'v2' : 'v1'
    const token = await mintOverrideToken({ experiment: 'api', variant: forced, expiresAt: Date.now() + 60_000, sign })
    const honoured = await fetch(server.url, { headers: { 'splitlane-override': token } })
    expect(await honoured.json()).toEqual({ variant: forced })
    const forged = await fetch(server.url, { headers: { 'splitlane-override': `${token.slice(0, -2)}AA` } })
    expect(await forged.json()).toEqual({ variant: splitter.variantOf('api', 'user-1') })
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_OVERRIDE_TOKEN_SIGNATURE'])
  })
})

describe('withSplitlane on Workers (a ctx with waitUntil among the extra arguments)', () => {
  it('holds the invocation until a proxied body has ended and its outcome is recorded', async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const proxy = proxyByVariant()
    const app = withSplitlane((request: Request, _env: object, _ctx: object) => proxy(request), {
      splitter,
      metrics,
      cookie: false,
      getKey: () => 'user-1',
    })
    const held: Promise<unknown>[] = []
    const ctx = { waitUntil: (promise: Promise<unknown>) => void held.push(promise) }
    const response = await app(new Request('http://app.local/echo', { method: 'POST', body: 'payload' }), {}, ctx)
    expect(held).toHaveLength(1)
    let settled = false
    void held[0]!.then(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(settled).toBe(false) // the body is not read yet: nothing recorded
    expect(await response.text()).toBe('payload')
    await held[0]
    expect(metrics.snapshot().experiments.api![splitter.variantOf('api', 'user-1')!]!.requests).toBe(1)
  })
})
