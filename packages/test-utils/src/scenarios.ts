// The one scenario suite every adapter passes: real servers on 127.0.0.1 port 0, real HTTP.
import { once, setMaxListeners } from 'node:events'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHmac, randomBytes } from 'node:crypto'
import {
  createMetricsRecorder,
  createSplitter,
  mintOverrideToken,
  parseVariantHeader,
  type MetricsRecorder,
  type SplitlaneConfig,
  type SplitlaneError,
} from '@splitlane/core'
import { sampleRatioMismatch } from '@splitlane/core/analysis'
import type { HttpSplitOptions, ProxyFallbackOptions } from '@splitlane/core/adapter'
import { createOtelInstrumentation } from '@splitlane/core/otel'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  STREAM_CHUNKS,
  STREAM_CHUNK_GAP_MS,
  closeServer,
  deadUrl,
  startEcho,
  startHelloworld,
  streamChunk,
  type Echoed,
  type Upstream,
} from './helloworld.js'
import { installOtel, withServerSpan, type OtelHarness } from './otel.js'

/** One proxy of the test server, with the proxy options an adapter passes on as they are. */
export interface ScenarioProxy {
  prefix: string
  experiment: string
  env?: Readonly<Record<string, string | undefined>>
  /** The proxy's `timeoutMs` (absent: its default). */
  timeoutMs?: number
  /** The proxy's `fallback` (absent: none). */
  fallback?: ProxyFallbackOptions
}

/** What a test server must serve; see the README of this package. */
export interface ScenarioServerSpec {
  /** Handed to the adapter as they are (getters receive the framework's request). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  options: HttpSplitOptions<any>
  /** `GET /routed` routes by this experiment's variant: `v1` and `v2` handlers, the rest fall through. */
  routedExperiment: string
  /**
   * `<prefix>/*` is proxied by the variant of `experiment`, `<prefix>/x` to `<upstream>/x` (the prefix
   * not forwarded); `env` (when given) is the proxy's `env` option, else it uses its default.
   */
  proxies: readonly ScenarioProxy[]
  /** A stand-in auth step before splitlane sets `req.user = { id: <this header> }`. */
  userHeader: string
  /** Wraps each request (the OpenTelemetry server span). */
  wrap?: (req: IncomingMessage, res: ServerResponse, handle: () => void) => void
}

export interface StartedServer {
  url: string
  close(): Promise<void>
}

/**
 * Starts the adapter's app on 127.0.0.1 port 0 with: `GET /assignments` (JSON `{ assignments:
 * { [experiment]: { variant, reason, key, keyFrom } }, baggage }`), `GET /routed` (byVariant:
 * `routed:v1`, `routed:v2`, else the route's own `routed:default`), `GET /boom` (throws),
 * `GET /outgoing?to=<url>` (answers what `outgoing(to)` returns) and the proxies.
 */
export type AdapterFactory = (spec: ScenarioServerSpec) => Promise<StartedServer>

export const SPLIT = { v1: 0.1, v2: 0.1, v3: 0.8 } as const

/** The sticky cookie's secret in the scenarios: adapters read it from `SPLITLANE_COOKIE_SECRET`, as deployed. */
export const SCENARIO_COOKIE_SECRET = 'scenario-cookie-secret'

/** A cookie value signed as `cookie-signature` does (what the adapters must accept): `id.base64(HMAC-SHA256)`, unpadded. */
export const signCookieValue = (id: string, secret: string): string =>
  `${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '')}`

/** `name=value` of the sticky cookie carrying `id`, signed with `secret`. */
export const signedCookie = (id: string, secret = SCENARIO_COOKIE_SECRET): string =>
  `splitlane_id=${encodeURIComponent(signCookieValue(id, secret))}`

/** Sets (or, with undefined, unsets) `SPLITLANE_COOKIE_SECRET` for what follows; returns how to restore it. */
export function setCookieSecretEnv(value: string | undefined): () => void {
  const before = process.env['SPLITLANE_COOKIE_SECRET']
  const set = (next: string | undefined) => {
    if (next === undefined) delete process.env['SPLITLANE_COOKIE_SECRET']
    else process.env['SPLITLANE_COOKIE_SECRET'] = next
  }
  set(value)
  return () => set(before)
}

export function scenarioConfig(upstreams: readonly Upstream[], dead: string, revision = 'scenario-1'): SplitlaneConfig {
  return {
    version: 1,
    revision,
    experiments: {
      helloworld: {
        variants: upstreams.map((upstream, index) => ({ name: `v${index + 1}`, weight: index === 2 ? 80 : 10, value: upstream.url })),
        control: 'v3',
        overrides: { 'qa-v1': 'v1' },
      },
      flaky: {
        variants: [
          { name: 'ok', weight: 50, value: upstreams[0]!.url },
          { name: 'broken', weight: 50, value: dead },
        ],
      },
    },
  }
}

interface Assigned {
  variant: string
  reason: string
  key: string | null
  keyFrom: string | null
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await fn(items[index]!, index)
      }
    }),
  )
  return results
}

const withinThreeSd = (observed: number, n: number, p: number) => Math.abs(observed - n * p) <= 3 * Math.sqrt(n * p * (1 - p))

/** Runs the whole suite against one adapter. */
export function runAdapterScenarios(adapter: string, start: AdapterFactory): void {
  describe(`${adapter}: shared scenarios`, () => {
    // Each test gets its own upstreams, apps and requests, and ends them all before the next one
    // starts: a request still in flight (a slow or failed test) can never arrive in another test.
    let upstreams: Upstream[]
    let dead: string
    let echo: { url: string; close(): Promise<void> }
    const servers: StartedServer[] = []
    let inFlight: AbortController
    let restoreSecret: () => void
    beforeAll(() => void (restoreSecret = setCookieSecretEnv(SCENARIO_COOKIE_SECRET)))
    afterAll(() => restoreSecret())
    beforeEach(async () => {
      inFlight = new AbortController()
      setMaxListeners(0, inFlight.signal) // fetch leaves one listener per request until GC: thousands in one test
      upstreams = await Promise.all(['v1', 'v2', 'v3'].map(startHelloworld))
      dead = await deadUrl()
      echo = await startEcho()
    })
    afterEach(async () => {
      inFlight.abort()
      await Promise.all([...servers.splice(0), ...upstreams, echo].map((server) => server.close()))
    })
    /** `fetch`, aborted at the end of the test if still running. */
    const fetch = (url: string, init: RequestInit = {}) =>
      globalThis.fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, inFlight.signal]) : inFlight.signal })

    const startApp = async (options: Partial<HttpSplitOptions<unknown>> = {}, extra: Partial<ScenarioServerSpec> = {}) => {
      const errors: SplitlaneError[] = []
      const metrics: MetricsRecorder = createMetricsRecorder()
      const splitter = options.splitter ?? createSplitter({ config: scenarioConfig(upstreams, dead) })
      const server = await start({
        options: { splitter, metrics, userIdHeader: 'x-user-id', onError: (error) => errors.push(error), ...options },
        routedExperiment: 'helloworld',
        proxies: [
          { prefix: '/proxy', experiment: 'helloworld' },
          { prefix: '/flaky', experiment: 'flaky' },
        ],
        userHeader: 'x-auth-user',
        ...extra,
      })
      servers.push(server)
      const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers })
      const assigned = async (headers: Record<string, string> = {}) => {
        const response = await get('/assignments', headers)
        const body = (await response.json()) as { assignments: Record<string, Assigned>; baggage: string | null }
        return { response, ...body }
      }
      return { server, errors, metrics, splitter, get, assigned }
    }

    it('mints a sticky cookie (HttpOnly, SameSite=Lax, long max-age) and honours it', async () => {
      const app = await startApp()
      for (let i = 0; i < 10; i++) {
        const first = await app.assigned()
        const [cookie] = first.response.headers.getSetCookie()
        // signed by default (cookie-signature's format), with the secret from SPLITLANE_COOKIE_SECRET
        const id = /^splitlane_id=([0-9a-f-]{36})\.[A-Za-z0-9%]{43,}; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax$/.exec(cookie!)![1]!
        const pair = cookie!.split(';', 1)[0]!
        expect(pair).toBe(signedCookie(id))
        const again = await app.assigned({ cookie: pair })
        expect(again.response.headers.getSetCookie()).toEqual([])
        expect(again.assignments['helloworld']).toEqual(first.assignments['helloworld'])
        expect(again.assignments['helloworld']!.key).toBe(id)
        expect(again.assignments['helloworld']!.variant).toBe(app.splitter.variantOf('helloworld', id))
      }
      expect(app.errors).toEqual([])
    })

    it('prefers the user id (req.user, then the header) to the cookie', async () => {
      const app = await startApp()
      for (let i = 0; i < 20; i++) {
        const cookie = signedCookie(`session-${i}`)
        const byHeader = await app.assigned({ cookie, 'x-user-id': `user-${i}` })
        expect(byHeader.assignments['helloworld']).toMatchObject({
          key: `user-${i}`,
          variant: app.splitter.variantOf('helloworld', `user-${i}`),
        })
        const byUser = await app.assigned({ cookie, 'x-user-id': `user-${i}`, 'x-auth-user': `member-${i}` })
        expect(byUser.assignments['helloworld']!.key).toBe(`member-${i}`)
        expect(byHeader.response.headers.getSetCookie()).toEqual([])
      }
    })

    it('honours a signed override token from a header, the query or a cookie, and ignores forged or expired ones', async () => {
      const sign = (message: string) => createHmac('sha256', 'scenario-secret').update(message).digest()
      const splitterErrors: SplitlaneError[] = []
      const splitter = createSplitter({
        config: scenarioConfig(upstreams, dead),
        overrideTokens: { sign },
        onError: (error) => splitterErrors.push(error),
      })
      const app = await startApp({ splitter, overrideTokens: true })
      const token = (variant: string, expiresAt = Date.now() + 60_000) =>
        mintOverrideToken({ experiment: 'helloworld', variant, expiresAt, sign })
      // a user whose own variant is not v2, so that forcing v2 shows
      const user = Array.from({ length: 50 }, (_, i) => `forced-${i}`).find((key) => splitter.variantOf('helloworld', key) !== 'v2')!
      const asked = [
        await app.assigned({ 'x-user-id': user, 'splitlane-override': token('v2') }),
        await app.assigned({ 'x-user-id': user, cookie: `splitlane_override=${token('v2')}` }),
      ]
      const byQuery = await app.get(`/assignments?splitlane-override=${encodeURIComponent(token('v2'))}`, { 'x-user-id': user })
      asked.push({ response: byQuery, ...((await byQuery.json()) as { assignments: Record<string, Assigned>; baggage: string | null }) })
      for (const result of asked) {
        expect(result.assignments['helloworld']).toMatchObject({ variant: 'v2', reason: 'override' })
        expect(parseVariantHeader(result.response.headers.get('splitlane-variant'))['helloworld']).toBe('v2')
      }
      expect(splitter.overrideTokenCounts.accepted).toBe(3)

      const own = splitter.variantOf('helloworld', user)
      const forged = token('v2').replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))
      for (const bad of [forged, token('v2', Date.now() - 1_000), 'spl1:helloworld:v2:9999999999:unsigned'])
        expect((await app.assigned({ 'x-user-id': user, 'splitlane-override': bad })).assignments['helloworld']).toMatchObject({
          variant: own,
          reason: 'split',
        })
      expect(splitterErrors.map((error) => error.code)).toEqual([
        'SPLITLANE_ERR_OVERRIDE_TOKEN_SIGNATURE',
        'SPLITLANE_ERR_OVERRIDE_TOKEN_EXPIRED',
        expect.stringMatching(/^SPLITLANE_ERR_OVERRIDE_TOKEN_(MALFORMED|SIGNATURE)$/),
      ])
      // without the option, a token is not even read
      const plain = await startApp({ splitter })
      expect((await plain.assigned({ 'x-user-id': user, 'splitlane-override': token('v2') })).assignments['helloworld']!.variant).toBe(own)
    })

    it('splits 2,000 new visitors 10/10/80 within 3 standard deviations, labelled by a header that parses back', async () => {
      // minted ids from a fixed sequence, so that the counts are the same on every run (random UUIDs fail 3 sd now and then)
      let minted = 0
      const app = await startApp({ randomId: () => `visitor-${(minted++).toString(36)}` })
      const n = 2000
      const variants = await mapLimit(Array.from({ length: n }), 16, async () => {
        const { response, assignments } = await app.assigned()
        const header = parseVariantHeader(response.headers.get('splitlane-variant'))
        expect({ ...header }).toEqual({ helloworld: assignments['helloworld']!.variant, flaky: assignments['flaky']!.variant })
        return assignments['helloworld']!.variant
      })
      const counts = Object.fromEntries(Object.keys(SPLIT).map((name) => [name, variants.filter((variant) => variant === name).length]))
      for (const [name, share] of Object.entries(SPLIT))
        expect(withinThreeSd(counts[name]!, n, share), `${name}: ${counts[name]}`).toBe(true)
      expect(sampleRatioMismatch(Object.values(counts), Object.values(SPLIT)).mismatch).toBe(false)
      // every visitor was counted once, in the variant they were served
      const stats = app.metrics.snapshot().experiments['helloworld']!
      for (const name of Object.keys(SPLIT)) expect(stats[name]?.requests ?? 0).toBe(counts[name])
    })

    it('counts a request whose client went away before the answer as an error of its variant', async () => {
      const arrived: IncomingMessage[] = []
      const hanging = createServer((req) => void arrived.push(req)) // answers nothing
      hanging.listen(0, '127.0.0.1')
      await once(hanging, 'listening')
      const app = await startApp()
      try {
        const to = encodeURIComponent(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`)
        const controller = new AbortController()
        const pending = fetch(`${app.server.url}/outgoing?to=${to}`, { headers: { 'x-user-id': 'quitter' }, signal: controller.signal })
        while (arrived.length === 0) await new Promise((resolve) => setTimeout(resolve, 5)) // the handler is waiting now
        controller.abort()
        await expect(pending).rejects.toThrow()
        const variant = app.splitter.variantOf('helloworld', 'quitter')!
        let stats = app.metrics.snapshot().experiments['helloworld']?.[variant]
        for (let tries = 0; stats === undefined && tries < 100; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 10))
          stats = app.metrics.snapshot().experiments['helloworld']?.[variant]
        }
        expect({ requests: stats?.requests, errors: stats?.errors }).toEqual({ requests: 1, errors: 1 })
      } finally {
        await closeServer(hanging)
      }
    })

    it('routes by variant, falling through to the route handler for a variant without one', async () => {
      const app = await startApp()
      const seen = new Set<string>()
      await mapLimit(
        Array.from({ length: 200 }, (_, i) => `router-${i}`),
        8,
        async (user) => {
          const response = await app.get('/routed', { 'x-user-id': user })
          const variant = app.splitter.variantOf('helloworld', user)!
          seen.add(variant)
          expect(await response.text()).toBe(variant === 'v3' ? 'routed:default' : `routed:${variant}`)
        },
      )
      expect([...seen].sort()).toEqual(['v1', 'v2', 'v3'])
    })

    it('proxies POST bodies byte-exact to the variant upstreams at 10/10/80, with the variant header forwarded', async () => {
      const app = await startApp()
      const n = 600
      const served = await mapLimit(
        Array.from({ length: n }, (_, i) => `proxy-user-${i}`),
        16,
        async (user, i) => {
          const body = randomBytes(i % 7 === 0 ? 256 * 1024 : 300 + i)
          const response = await fetch(`${app.server.url}/proxy/echo?i=${i}`, {
            method: 'POST',
            body,
            headers: { 'x-user-id': user, 'content-type': 'application/octet-stream' },
          })
          expect(response.status).toBe(200)
          expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true)
          const version = response.headers.get('x-version')!
          expect(version).toBe(app.splitter.variantOf('helloworld', user))
          expect(response.headers.has('x-upstream-hop')).toBe(false)
          return version
        },
      )
      for (const [name, share] of Object.entries(SPLIT)) expect(withinThreeSd(served.filter((v) => v === name).length, n, share)).toBe(true)
      const received = upstreams.flatMap((upstream) => upstream.received.slice(-n).map((headers) => [upstream.version, headers] as const))
      for (const [version, headers] of received.filter(([, headers]) => String(headers['x-user-id']).startsWith('proxy-user-')))
        expect(parseVariantHeader(headers['splitlane-variant'])['helloworld']).toBe(version)
    })

    it('streams proxied responses as they come, byte-exact', async () => {
      const app = await startApp()
      const response = await app.get('/proxy/stream', { 'x-user-id': 'qa-v1' })
      const reader = response.body!.getReader()
      const chunks: Uint8Array[] = []
      let firstAt = 0
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        if (chunks.length === 0) firstAt = performance.now()
        chunks.push(value)
      }
      const upstream = upstreams[0]!
      expect(Buffer.concat(chunks).toString()).toBe(Array.from({ length: STREAM_CHUNKS }, (_, i) => streamChunk('v1', i)).join(''))
      expect(firstAt).toBeLessThan(upstream.streamEnds.at(-1)!)
    })

    it('drops hop-by-hop request headers on the way to the upstream', async () => {
      const app = await startApp()
      const { hostname: host, port } = new URL(app.server.url)
      const upstream = upstreams[0]!
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host,
            port,
            path: '/proxy/hello',
            headers: { 'x-user-id': 'qa-v1', connection: 'keep-alive, x-secret-hop', 'x-secret-hop': '1', te: 'trailers' },
            signal: inFlight.signal,
          },
          (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode!))
          },
        )
        req.on('error', reject)
        req.end()
      })
      expect(status).toBe(200)
      const headers = upstream.received.at(-1)!
      expect(headers['x-user-id']).toBe('qa-v1')
      expect(headers['x-secret-hop']).toBeUndefined()
      expect(headers['te']).toBeUndefined()
    })

    it('counts per-variant outcomes exactly: status classes, 5xx and thrown as errors, a failing upstream as an error of its variant', async () => {
      const app = await startApp()
      const users = Array.from({ length: 120 }, (_, i) => `metrics-user-${i}`)
      const expected: Record<string, Record<string, { requests: number; errors: number; ok: number; notFound: number }>> = {}
      const count = (experiment: string, variant: string, status: number) => {
        const stats = ((expected[experiment] ??= {})[variant] ??= { requests: 0, errors: 0, ok: 0, notFound: 0 })
        stats.requests++
        if (status >= 500) stats.errors++
        if (status === 200) stats.ok++
        if (status === 404) stats.notFound++
      }
      await mapLimit(users, 8, async (user, i) => {
        const path = ['/assignments', '/boom', '/proxy/status/404', '/flaky/hello'][i % 4]!
        const response = await app.get(path, { 'x-user-id': user })
        await response.arrayBuffer()
        const header = parseVariantHeader(response.headers.get('splitlane-variant'))
        // an unreachable upstream: 502 in every adapter (core's proxy policy), never a hang or a crash
        if (path === '/flaky/hello') expect(response.status).toBe(header['flaky'] === 'broken' ? 502 : 200)
        for (const experiment of ['helloworld', 'flaky']) count(experiment, header[experiment]!, response.status)
      })
      // the outcome is recorded when the response ends: wait for the last one
      await new Promise((resolve) => setTimeout(resolve, 50))
      const snapshot = app.metrics.snapshot()
      for (const [experiment, variants] of Object.entries(expected))
        for (const [variant, want] of Object.entries(variants)) {
          const stats = snapshot.experiments[experiment]![variant]!
          expect({
            requests: stats.requests,
            errors: stats.errors,
            ok: stats.statusClasses['2xx'],
            notFound: stats.statusClasses['4xx'],
          }).toEqual(want)
          expect(stats.latencyMs.count).toBe(want.requests)
        }
      expect(expected['flaky']!['broken']!.errors).toBeGreaterThan(expected['flaky']!['ok']!.errors)
    })
    describe('never breaks a request', () => {
      const control = (body: { assignments: Record<string, Assigned> }) => body.assignments['helloworld']
      it.each([
        [
          'a throwing getKey',
          {
            getKey: () => {
              throw new Error('getter bug')
            },
          },
          {},
          'SPLITLANE_ERR_GETTER_FAILED',
        ],
        [
          'a throwing getAttributes',
          {
            getAttributes: () => {
              throw new Error('getter bug')
            },
          },
          {},
          'SPLITLANE_ERR_GETTER_FAILED',
        ],
        ['a broken cookie', {}, { cookie: 'splitlane_id=%zz%<bad>' }, 'SPLITLANE_ERR_REQUEST_INVALID'],
        ['a bad user-id header', {}, { 'x-user-id': 'u'.repeat(1000) }, 'SPLITLANE_ERR_REQUEST_INVALID'],
      ] as const)('%s: control, reason error, onError, and the request goes on', async (_, options, headers, code) => {
        const app = await startApp(options)
        const result = await app.assigned(headers)
        expect(result.response.status).toBe(200)
        expect(control(result)).toMatchObject({ variant: 'v3', reason: 'error' })
        expect(app.errors.map((error) => error.code)).toContain(code)
        const routed = await app.get('/routed', headers)
        expect(await routed.text()).toBe('routed:default')
      })

      it('a broken cookie is replaced by a fresh sticky one', async () => {
        const app = await startApp()
        const result = await app.assigned({ cookie: 'splitlane_id=<script>' })
        expect(result.response.headers.getSetCookie()[0]).toMatch(/^splitlane_id=[0-9a-f-]{36}\.[A-Za-z0-9%]{43,};/)
      })

      it('a splitter error (a failing random source) gives control and the request goes on', async () => {
        const config = scenarioConfig(upstreams, dead)
        const splitter = createSplitter({
          config: {
            ...config,
            experiments: { ...config.experiments, helloworld: { ...config.experiments['helloworld']!, mode: 'random' } },
          },
          random: () => {
            throw new Error('no entropy')
          },
        })
        const app = await startApp({ splitter })
        const result = await app.assigned({ 'x-user-id': 'someone' })
        expect(result.response.status).toBe(200)
        expect(control(result)).toMatchObject({ variant: 'v3', reason: 'error' })
        expect((await app.get('/proxy/hello', { 'x-user-id': 'someone' })).headers.get('x-version')).toBe('v3')
      })

      it('a variant without an upstream URL is answered 502 and reported', async () => {
        const config = scenarioConfig(upstreams, dead)
        const splitter = createSplitter({
          config: { ...config, experiments: { ...config.experiments, helloworld: { variants: [{ name: 'v3' }] } } },
        })
        const app = await startApp({ splitter })
        expect((await app.get('/proxy/hello')).status).toBe(502)
        expect(app.errors.map((error) => error.code)).toContain('SPLITLANE_ERR_UPSTREAM_INVALID')
      })
    })

    describe('upstream objects in proxy mode (the value shapes createSplitFetch takes)', () => {
      // one config for an LLM split: a base URL with a path prefix and an API key from the environment
      const llmConfig = (values: Record<string, unknown>): SplitlaneConfig => ({
        version: 1,
        revision: 'llm-1',
        experiments: {
          llm: {
            variants: Object.entries(values).map(([name, value]) => (value === undefined ? { name } : { name, value: value as never })),
            control: 'control',
            overrides: Object.fromEntries(Object.keys(values).map((name) => [`qa-${name}`, name])),
          },
        },
      })
      const control = () => ({ url: `${echo.url}/v1`, headers: { Authorization: 'Bearer ${SCENARIO_TOKEN}', 'x-org': 'acme' } })
      const env = { SCENARIO_TOKEN: 'token-from-env', SCENARIO_TOKEN_MINI: 'mini-token', SCENARIO_TEAM: 'search' }
      const startLlm = (values: Record<string, unknown>, proxyEnv: Record<string, string> = env) =>
        startApp(
          { splitter: createSplitter({ config: llmConfig(values) }) },
          { proxies: [{ prefix: '/llm', experiment: 'llm', env: proxyEnv }], routedExperiment: 'llm' },
        )
      const call = async (app: Awaited<ReturnType<typeof startApp>>, user: string, body = '{"model":"big","messages":[]}') => {
        const response = await fetch(`${app.server.url}/llm/chat/completions?trace=1`, {
          method: 'POST',
          body,
          headers: { 'x-user-id': user, 'content-type': 'application/json', authorization: 'Bearer client-key' },
        })
        return { status: response.status, echoed: response.status === 200 ? ((await response.json()) as Echoed) : undefined }
      }

      it('goes to the prefixed path with the header from the injected env replacing the client one, body untouched', async () => {
        const mini = { url: `${echo.url}/mini/v1/`, model: 'small', headers: { authorization: 'Bearer ${SCENARIO_TOKEN_MINI}' } }
        const app = await startLlm({ control: control(), mini })
        const toControl = await call(app, 'qa-control')
        expect(toControl.status).toBe(200)
        expect(toControl.echoed).toMatchObject({
          method: 'POST',
          url: '/v1/chat/completions?trace=1',
          body: '{"model":"big","messages":[]}',
        })
        expect(toControl.echoed!.headers).toMatchObject({
          authorization: 'Bearer token-from-env',
          'x-org': 'acme',
          'splitlane-variant': 'llm=control',
        })
        const toMini = await call(app, 'qa-mini')
        // `model` is not applied in proxy mode: the body streams through as the client sent it
        expect(toMini.echoed).toMatchObject({ url: '/mini/v1/chat/completions?trace=1', body: '{"model":"big","messages":[]}' })
        expect(toMini.echoed!.headers['authorization']).toBe('Bearer mini-token')
        expect(toMini.echoed!.headers['x-org']).toBeUndefined()
        expect(app.errors).toEqual([])
      })

      it("sends a variant without a URL to control's upstream, with control's headers under its own", async () => {
        const app = await startLlm({
          control: control(),
          bare: undefined,
          team: { headers: { 'x-team': '${SCENARIO_TEAM}' }, model: 'small' },
        })
        for (const [user, team] of [
          ['qa-bare', undefined],
          ['qa-team', 'search'],
        ] as const) {
          const { status, echoed } = await call(app, user)
          expect(status).toBe(200)
          expect(echoed!.url).toBe('/v1/chat/completions?trace=1')
          expect(echoed!.headers).toMatchObject({ authorization: 'Bearer token-from-env', 'x-org': 'acme' })
          expect(echoed!.headers['x-team']).toBe(team)
        }
        expect(app.errors).toEqual([])
      })

      it('sends a variant with a missing environment variable or an invalid value to control, and reports it by name (never a value)', async () => {
        const mini = { url: `${echo.url}/mini/v1`, headers: { authorization: 'Bearer ${SCENARIO_TOKEN_MINI}' } }
        const app = await startLlm({ control: control(), mini, broken: { url: 'not a url' } }, { SCENARIO_TOKEN: 'token-from-env' })
        const served = await call(app, 'qa-mini')
        expect(served.status).toBe(200)
        expect(served.echoed!.headers['authorization']).toBe('Bearer token-from-env') // control's upstream
        expect(app.errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_UPSTREAM_ENV_MISSING'])
        expect(app.errors[0]!.message).toContain('SCENARIO_TOKEN_MINI')
        expect(app.errors[0]!.message).not.toContain('token-from-env')
        expect((await call(app, 'qa-broken')).status).toBe(200)
        expect(app.errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_UPSTREAM_ENV_MISSING', 'SPLITLANE_ERR_UPSTREAM_INVALID'])
        // the other variants still go through
        expect((await call(app, 'qa-control')).echoed!.headers['authorization']).toBe('Bearer token-from-env')
      })

      it('reads process.env by default', async () => {
        process.env['SPLITLANE_SCENARIO_DEFAULT_ENV'] = 'from-process-env'
        try {
          const app = await startApp(
            {
              splitter: createSplitter({
                config: llmConfig({ control: { url: echo.url, headers: { 'x-key': '${SPLITLANE_SCENARIO_DEFAULT_ENV}' } } }),
              }),
            },
            { proxies: [{ prefix: '/llm', experiment: 'llm' }], routedExperiment: 'llm' },
          )
          const { echoed } = await call(app, 'anyone')
          expect(echoed).toMatchObject({ url: '/chat/completions?trace=1', headers: { 'x-key': 'from-process-env' } })
        } finally {
          delete process.env['SPLITLANE_SCENARIO_DEFAULT_ENV']
        }
      })
    })

    describe('OpenTelemetry (real SDK, in-memory exporters)', () => {
      let otel: OtelHarness
      beforeAll(() => {
        otel = installOtel()
      })
      afterAll(async () => {
        await otel.shutdown()
      })

      it('adds a feature_flag.evaluation event per experiment to the server span, with no key unless asked', async () => {
        otel.spans.reset()
        const app = await startApp({ otel: createOtelInstrumentation({ meterProvider: otel.meterProvider }) }, { wrap: withServerSpan })
        await app.assigned({ 'x-user-id': 'qa-v1' })
        await new Promise((resolve) => setTimeout(resolve, 20))
        const span = otel.spans.getFinishedSpans().find((candidate) => candidate.name.startsWith('GET /assignments'))!
        const events = span.events.filter((event) => event.name === 'feature_flag.evaluation')
        expect(events.map((event) => event.attributes)).toEqual([
          {
            'feature_flag.key': 'helloworld',
            'feature_flag.provider.name': 'splitlane',
            'feature_flag.result.variant': 'v1',
            'feature_flag.result.reason': 'targeting_match',
            'feature_flag.version': 'scenario-1',
          },
          expect.objectContaining({
            'feature_flag.key': 'flaky',
            'feature_flag.result.reason': 'split',
            'feature_flag.version': 'scenario-1',
          }),
        ])
        const keyed = await startApp(
          { otel: createOtelInstrumentation({ meterProvider: otel.meterProvider, includeKey: true }) },
          { wrap: withServerSpan },
        )
        otel.spans.reset()
        await keyed.assigned({ 'x-user-id': 'qa-v1' })
        await new Promise((resolve) => setTimeout(resolve, 20))
        const keyedEvent = otel.spans.getFinishedSpans()[0]!.events[0]!
        expect(keyedEvent.attributes!['feature_flag.context.id']).toBe('qa-v1')
      })

      it('counts requests and records durations per experiment and variant', async () => {
        const app = await startApp({ otel: createOtelInstrumentation({ meterProvider: otel.meterProvider }), experiments: ['helloworld'] })
        const before = await requestCounts()
        const users = Array.from({ length: 60 }, (_, i) => `otel-user-${i}`)
        await mapLimit(users, 8, async (user) => (await app.get('/assignments', { 'x-user-id': user })).arrayBuffer())
        await new Promise((resolve) => setTimeout(resolve, 50))
        const after = await requestCounts()
        for (const variant of Object.keys(SPLIT)) {
          const want = users.filter((user) => app.splitter.variantOf('helloworld', user) === variant).length
          expect((after[variant] ?? 0) - (before[variant] ?? 0)).toBe(want)
        }
        const duration = (await otel.collect()).find((metric) => metric.descriptor.name === 'splitlane.request.duration')!
        expect(duration.descriptor.unit).toBe('s')
        expect(duration.dataPoints.some((point) => point.attributes['feature_flag.result.variant'] === 'v3')).toBe(true)
      })

      it("records a proxied request's time to first byte (the upstream's headers) apart from its duration (the whole body)", async () => {
        const app = await startApp({ otel: createOtelInstrumentation({ meterProvider: otel.meterProvider }), experiments: ['helloworld'] })
        // count and sum of v1's points of a histogram (earlier tests of this file recorded durations too)
        const v1 = async (name: string) => {
          const points = (await otel.collect()).find((metric) => metric.descriptor.name === name)?.dataPoints ?? []
          const values = points.filter((point) => point.attributes['feature_flag.result.variant'] === 'v1').map((point) => point.value)
          return (values as { count: number; sum: number }[]).reduce((a, b) => ({ count: a.count + b.count, sum: a.sum + b.sum }), {
            count: 0,
            sum: 0,
          })
        }
        const [ttfbBefore, durationBefore] = [await v1('splitlane.request.time_to_first_byte'), await v1('splitlane.request.duration')]
        // five chunks 30 ms apart: the headers come with the first, the body ends 120 ms later
        const user = Array.from({ length: 200 }, (_, i) => `ttfb-user-${i}`).find(
          (key) => app.splitter.variantOf('helloworld', key) === 'v1',
        )!
        for (let i = 0; i < 3; i++) await (await app.get('/proxy/stream', { 'x-user-id': user })).arrayBuffer()
        await new Promise((resolve) => setTimeout(resolve, 50))
        const [ttfbAfter, durationAfter] = [await v1('splitlane.request.time_to_first_byte'), await v1('splitlane.request.duration')]
        const first = { count: ttfbAfter.count - ttfbBefore.count, sum: ttfbAfter.sum - ttfbBefore.sum }
        const whole = { count: durationAfter.count - durationBefore.count, sum: durationAfter.sum - durationBefore.sum }
        expect([first.count, whole.count]).toEqual([3, 3])
        expect(whole.sum).toBeGreaterThanOrEqual((3 * (STREAM_CHUNKS - 1) * STREAM_CHUNK_GAP_MS) / 1000)
        expect(first.sum).toBeLessThan(whole.sum - (3 * STREAM_CHUNK_GAP_MS) / 1000)
        // the in-process recorder gets the same time to first byte
        expect(app.metrics.snapshot().experiments['helloworld']!['v1']!.ttfbMs.count).toBe(3)
      })

      async function requestCounts(): Promise<Record<string, number>> {
        const metric = (await otel.collect()).find((candidate) => candidate.descriptor.name === 'splitlane.requests')
        const counts: Record<string, number> = {}
        for (const point of metric?.dataPoints ?? [])
          if (point.attributes['feature_flag.key'] === 'helloworld' && point.attributes['http.response.status_code'] === 200) {
            const variant = String(point.attributes['feature_flag.result.variant'])
            counts[variant] = (counts[variant] ?? 0) + (point.value as number)
          }
        return counts
      }

      it('carries the variant in W3C baggage to a downstream service, which honours it instead of re-rolling', async () => {
        // the downstream splits the same experiment with another salt: alone, it would disagree often
        const config = scenarioConfig(upstreams, dead, 'downstream-1')
        const downstreamSplitter = createSplitter({
          config: { ...config, experiments: { helloworld: { ...config.experiments['helloworld']!, salt: 'another-salt' } } },
        })
        const downstream = await startApp(
          { splitter: downstreamSplitter, otel: createOtelInstrumentation({ meterProvider: otel.meterProvider, honourBaggage: true }) },
          { wrap: withServerSpan },
        )
        const app = await startApp(
          { otel: createOtelInstrumentation({ meterProvider: otel.meterProvider, propagateBaggage: true }) },
          { wrap: withServerSpan },
        )
        let disagreements = 0
        for (let i = 0; i < 30; i++) {
          const user = `baggage-user-${i}`
          const response = await app.get(`/outgoing?to=${encodeURIComponent(`${downstream.server.url}/assignments`)}`, {
            'x-user-id': user,
          })
          const body = (await response.json()) as { assignments: Record<string, Assigned>; baggage: string | null }
          const upstreamVariant = app.splitter.variantOf('helloworld', user)
          expect(body.baggage).toContain(`splitlane.helloworld=${upstreamVariant}`)
          expect(body.assignments['helloworld']!.variant).toBe(upstreamVariant)
          if (downstreamSplitter.variantOf('helloworld', body.assignments['helloworld']!.key) !== upstreamVariant) disagreements++
        }
        expect(disagreements).toBeGreaterThan(0)
      })
    })
  })
}
