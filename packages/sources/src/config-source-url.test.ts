import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createSplitter, type Splitter } from '@splitlane/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createUrlConfigSource } from './config-source-url.js'
import type { ConfigRejection, ConfigSource } from './config-source.js'
import { config, unhandledRejections, within } from '../test/helpers.js'

type Handler = (request: IncomingMessage, response: ServerResponse) => void
const json =
  (body: string, etag?: string): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', ...(etag ? { etag } : {}) })
    response.end(body)
  }

let server: Server | undefined
let source: ConfigSource | undefined
afterEach(async () => {
  source?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

/** A real server on 127.0.0.1 that answers each request with the next scripted handler (the last one repeats). */
async function serve(script: Handler[]) {
  const requests: { ifNoneMatch: string | undefined; at: number }[] = []
  server = createServer((request, response) => {
    requests.push({ ifNoneMatch: request.headers['if-none-match'], at: performance.now() })
    ;(script.length > 1 ? script.shift()! : script[0]!)(request, response)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/splitlane.json`, requests }
}

describe('createUrlConfigSource', () => {
  it('handles 200, 304, 500, a truncated body and invalid documents in turn, swapping in only valid ones', async () => {
    const { url, requests } = await serve([
      json(JSON.stringify(config('r1', 50)), '"v1"'),
      (_request, response) => response.writeHead(304).end(),
      (_request, response) => response.writeHead(500).end('boom'),
      (_request, response) => {
        const body = JSON.stringify(config('truncated', 90))
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
        response.write(body.slice(0, 20))
        setTimeout(() => response.destroy(), 20)
      },
      json('{"version": 1, "experiments": {'),
      json(JSON.stringify({ ...config('bad', 50), experiments: { checkout: { variants: [{ name: 'control', weight: -5 }] } } })),
      json(JSON.stringify(config('r2', 90)), '"v2"'),
      (_request, response) => response.writeHead(304).end(),
    ])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({ url, splitter, intervalMs: 60_000, onReject: (rejection) => rejections.push(rejection) })

    expect(await source.ready).toMatchObject({ revision: 'r1', updates: 1, rejections: 0 })
    expect(await source.refresh()).toMatchObject({ revision: 'r1', updates: 1, consecutiveFailures: 0 })
    expect(await source.refresh()).toMatchObject({ revision: 'r1', rejections: 1, consecutiveFailures: 1 })
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_UNAVAILABLE', message: expect.stringContaining('HTTP 500') })
    expect(await source.refresh()).toMatchObject({ revision: 'r1', rejections: 2, consecutiveFailures: 2 })
    expect(rejections[1]!.error.code).toBe('SPLITLANE_ERR_SOURCE_UNAVAILABLE')
    expect(await source.refresh()).toMatchObject({ revision: 'r1', rejections: 3 })
    expect(rejections[2]!.issues).toEqual([{ path: '', message: expect.stringMatching(/^not valid JSON/) }])
    expect(await source.refresh()).toMatchObject({ revision: 'r1', rejections: 4 })
    expect(rejections[3]!.error.code).toBe('SPLITLANE_ERR_CONFIG_INVALID')
    expect(rejections[3]!.issues.map((issue) => issue.path)).toContain('experiments.checkout.variants[0].weight')
    expect(splitter.assign('checkout', { key: 'user-1' }).revision).toBe('r1')

    expect(await source.refresh()).toMatchObject({ revision: 'r2', updates: 2, rejections: 4, consecutiveFailures: 0 })
    expect(await source.refresh()).toMatchObject({ revision: 'r2', updates: 2 })
    expect(splitter.assign('checkout', { key: 'user-1' }).revision).toBe('r2')
    // The ETag of the last accepted document goes out with every poll after it.
    expect(requests.map((request) => request.ifNoneMatch)).toEqual([undefined, '"v1"', '"v1"', '"v1"', '"v1"', '"v1"', '"v1"', '"v2"'])
  })

  it('backs off exponentially while the server fails and returns to the interval once it recovers', async () => {
    const ok = json(JSON.stringify(config('r1', 50)), '"v1"')
    const fail: Handler = (_request, response) => response.writeHead(503).end()
    const { url, requests } = await serve([ok, fail, fail, fail, ok, ok])
    const splitter = createSplitter({ config: config('r0', 0) })
    source = createUrlConfigSource({ url, splitter, intervalMs: 40, random: () => 0.999, onReject: () => {} })
    while (requests.length < 6) await new Promise((resolve) => setTimeout(resolve, 20))
    source.close()

    const gaps = requests.slice(1).map((request, i) => request.at - requests[i]!.at)
    // Waits after 0, 1, 2, 3 failures and after the recovery: 40, 80, 160, 320, 40 ms (jitter 0.999).
    const expected = [40, 80, 160, 320, 40]
    // Timers never fire early, so lower bounds prove the backoff however loaded the machine; comparing two
    // measured gaps would not (a late timer made the 80 ms wait outlast the 160 ms one under load 14).
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(expected[i]! * 0.95))
    expect(gaps[4]!).toBeLessThan(expected[3]! * 0.95) // back to the interval, not a fifth doubling
    expect(splitter.revision).toBe('r1')
  })

  it('aborts a poll that hangs past the timeout and counts it as a failure', async () => {
    const { url } = await serve([() => {}])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({ url, splitter, timeoutMs: 100, onReject: (rejection) => rejections.push(rejection) })
    expect(await source.ready).toMatchObject({ revision: 'r0', consecutiveFailures: 1 })
    expect(rejections[0]!.error.code).toBe('SPLITLANE_ERR_SOURCE_TIMEOUT')
  })
})

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** Waits until `check` holds, or fails the test after `ms` instead of hanging it. */
async function until(check: () => boolean, ms = 3_000) {
  const deadline = performance.now() + ms
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

// A schema-valid document that crashed compilation (a variant named `constructor` with a rule that sets `weights`).
const poisoned = JSON.stringify({
  version: 1,
  revision: 'poisoned',
  experiments: {
    checkout: {
      variants: [{ name: 'control' }, { name: 'constructor' }],
      rules: [{ id: 'beta', when: { attribute: 'beta', op: 'in', values: ['yes'] }, weights: { control: 1 } }],
    },
  },
})

describe('createUrlConfigSource survives anything its server sends', () => {
  let unhandled: ReturnType<typeof unhandledRejections>
  beforeEach(() => (unhandled = unhandledRejections()))
  afterEach(() => unhandled.stop())

  it('keeps polling after a document that crashed compilation, with no unhandled rejection', async () => {
    const { url } = await serve([json(JSON.stringify(config('r1', 50))), json(poisoned), json(JSON.stringify(config('r2', 90)))])
    const splitter = createSplitter({ config: config('r0', 0) })
    source = createUrlConfigSource({ url, splitter, intervalMs: 20, random: () => 0, onReject: () => {} })
    await until(() => splitter.revision === 'r2')
    expect(unhandled.seen).toEqual([])
  })

  it('reports a splitter update that throws and a throwing onUpdate, keeps the last good config and polls on', async () => {
    const { url } = await serve([
      json(JSON.stringify(config('r1', 50))),
      json(JSON.stringify(config('boom', 10))),
      json(JSON.stringify(config('r2', 90))),
    ])
    const splitter = createSplitter({ config: config('r0', 0) })
    // The same splitter, whose update throws for one document: whatever goes wrong inside update, the source survives it.
    const fragile: Splitter = Object.create(splitter) as Splitter
    fragile.update = (next) => {
      if (next.revision === 'boom') throw new TypeError('compile failed')
      return splitter.update(next)
    }
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({
      url,
      splitter: fragile,
      intervalMs: 20,
      random: () => 0,
      onUpdate: () => {
        throw new Error('a throwing onUpdate')
      },
      onReject: (rejection) => rejections.push(rejection),
    })
    await until(() => splitter.revision === 'r2')
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_INTERNAL', message: expect.stringContaining('compile failed') })
    expect(unhandled.seen).toEqual([])
  })

  it('never rejects ready, even when fetch throws synchronously (Workers at module scope) and the jitter source throws', async () => {
    const splitter = createSplitter({ config: config('r0', 0) })
    const fetchAtModuleScope = (() => {
      throw new Error('Disallowed operation called within global scope')
    }) as typeof fetch
    source = createUrlConfigSource({
      url: 'http://127.0.0.1:9/splitlane.json',
      splitter,
      fetch: fetchAtModuleScope,
      random: () => {
        throw new Error('no random values in global scope')
      },
      onReject: () => {},
    })
    // Nobody awaits `ready` here, as at module scope.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(unhandled.seen).toEqual([])
    expect(await within(source.ready, 1_000)).toMatchObject({ revision: 'r0', consecutiveFailures: expect.any(Number) })
    expect(source.status().lastError!.code).toBe('SPLITLANE_ERR_SOURCE_UNAVAILABLE')
  })

  it('times out a body that stalls half-way, and ready settles', async () => {
    const body = JSON.stringify(config('r1', 50))
    const { url } = await serve([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
        response.write(body.slice(0, body.length / 2)) // then nothing, ever
      },
    ])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    const started = performance.now()
    source = createUrlConfigSource({ url, splitter, timeoutMs: 300, onReject: (rejection) => rejections.push(rejection) })
    // Collect garbage while the body stalls: on Node 20 a collected AbortSignal.any() never fires its timeout.
    const collecting = setInterval(collectGarbage, 50)
    const status = await within(source.ready, 3_000).finally(() => clearInterval(collecting))
    expect(status).toMatchObject({ revision: 'r0', consecutiveFailures: 1 })
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_TIMEOUT', message: expect.stringContaining('300 ms') })
  })

  it('rejects a config trickled byte by byte for longer than the timeout, and hangs up on it', async () => {
    const body = JSON.stringify(config('r1', 50))
    let sent = 0
    let hungUp!: () => void
    const closed = new Promise<void>((resolve) => (hungUp = resolve))
    const { url } = await serve([
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.on('close', hungUp)
        const drip = setInterval(() => {
          if (response.destroyed) return clearInterval(drip)
          response.write(body[sent++]!)
          if (sent === body.length) {
            clearInterval(drip)
            response.end()
          }
        }, 2_000 / body.length) // the whole document over 2 s
      },
    ])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({ url, splitter, timeoutMs: 300, onReject: (rejection) => rejections.push(rejection) })
    expect(await within(source.ready, 3_000)).toMatchObject({ revision: 'r0', consecutiveFailures: 1 })
    expect(rejections[0]!.error.code).toBe('SPLITLANE_ERR_SOURCE_TIMEOUT')
    await within(closed, 1_000) // the source hung up: the rest of the document can never be applied
    expect(sent).toBeLessThan(body.length)
    expect(splitter.revision).toBe('r0')
  })

  it('rejects a body over maxBytes: at once when Content-Length says so, and mid-stream when it does not', async () => {
    const endless: Handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }) // chunked, no length
      const chunk = ' '.repeat(16_384)
      const pour = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pour)
      }
      pour()
    }
    const declared: Handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) })
      response.write('{') // the rest never comes: the declared length alone must reject it
    }
    const { url } = await serve([declared, endless])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({
      url,
      splitter,
      intervalMs: 60_000,
      timeoutMs: 30_000,
      onReject: (rejection) => rejections.push(rejection),
    })
    await within(source.ready, 3_000)
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_TOO_LARGE', message: expect.stringContaining('1048576') })

    const smaller = createUrlConfigSource({
      url,
      splitter,
      maxBytes: 100_000,
      intervalMs: 60_000,
      timeoutMs: 30_000,
      onReject: (rejection) => rejections.push(rejection),
    })
    const started = performance.now()
    await within(smaller.ready, 3_000)
    smaller.close()
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(rejections[1]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_TOO_LARGE', message: expect.stringContaining('100000') })
    expect(splitter.revision).toBe('r0')
  })

  it('treats a 304 to the first request (nothing to be unchanged from) as a failure', async () => {
    const { url } = await serve([(_request, response) => response.writeHead(304).end()])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({ url, splitter, onReject: (rejection) => rejections.push(rejection) })
    expect(await source.ready).toMatchObject({ revision: 'r0', updates: 0, consecutiveFailures: 1 })
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_UNAVAILABLE', message: expect.stringContaining('304') })
  })
})

describe('createUrlConfigSource with poll: false (runtimes without background timers)', () => {
  it('fetches only when revalidate() finds the config older than intervalMs, once for many concurrent requests', async () => {
    const { url, requests } = await serve([json(JSON.stringify(config('r1', 50)), '"v1"'), json(JSON.stringify(config('r2', 90)), '"v2"')])
    const splitter = createSplitter({ config: config('r0', 0) })
    const revalidating = (source = createUrlConfigSource({ url, splitter, poll: false, intervalMs: 200 }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(requests).toHaveLength(0) // nothing at creation: module scope may not do I/O

    expect(await revalidating.revalidate()).toMatchObject({ revision: 'r1' })
    expect(await source.ready).toMatchObject({ revision: 'r1' })
    await Promise.all(Array.from({ length: 20 }, () => revalidating.revalidate()))
    expect(requests).toHaveLength(1) // fresh: served from what it has
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(requests).toHaveLength(1) // stale, but no timer fetches behind the application's back

    const statuses = await Promise.all(Array.from({ length: 20 }, () => revalidating.revalidate()))
    expect(requests).toHaveLength(2) // one refresh, joined by every request that found it stale
    expect(statuses.every((status) => status.revision === 'r2')).toBe(true)
    expect(requests[1]!.ifNoneMatch).toBe('"v1"')
  })
})
