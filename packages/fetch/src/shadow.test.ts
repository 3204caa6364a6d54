import { createMetricsRecorder, createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, startFailing, startHanging, startUpstream, type TestServer } from '../test/servers.js'
import { createSplitFetch, routeOf } from './index.js'
import type { SplitFetchOptions } from './types.js'

let primary: TestServer
let other: TestServer
let hanging: Awaited<ReturnType<typeof startHanging>>
let failing: TestServer

beforeAll(async () => {
  ;[primary, other, hanging, failing] = await Promise.all([
    startUpstream('primary'),
    startUpstream('other'),
    startHanging(30_000),
    startFailing(500),
  ])
})
afterAll(() => Promise.all([primary, other, hanging, failing].map((server) => server.close())))

const config = (): SplitlaneConfig => ({ version: 1, experiments: { api: { variants: [{ name: 'stable', value: primary.url }] } } })

function setup(shadow: SplitFetchOptions['shadow'], extra: Partial<SplitFetchOptions> = {}) {
  const metrics = createMetricsRecorder()
  const splitFetch = createSplitFetch({
    splitter: createSplitter({ config: config() }),
    experiment: 'api',
    key: () => 'user-1',
    metrics,
    shadow,
    ...extra,
  })
  return { metrics, splitFetch, shadowOf: () => metrics.snapshot().experiments.api!.stable!.shadow }
}

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('shadow traffic', () => {
  it('the primary resolves, body and all, while a shadow that hangs for 30 s has not answered; the shadow is labelled and timed out', async () => {
    const { splitFetch, shadowOf } = setup({ upstream: hanging.url, timeoutMs: 300 })
    const seen = hanging.requests.length
    const response = await splitFetch('http://api.internal/hello')
    expect(await response.text()).toBe('hello from primary')
    expect(hanging.answered()).toBe(0)
    expect(routeOf(response)!.shadowed).toBe(true)
    await until(() => hanging.requests.length > seen)
    const mirrored = hanging.requests.at(-1)!
    expect([mirrored.url, mirrored.headers['splitlane-shadow'], mirrored.headers['splitlane-variant']]).toEqual([
      '/hello',
      '1',
      'api=stable',
    ])
    await until(() => splitFetch.shadowStats().timedOut === 1)
    expect(shadowOf()).toMatchObject({ requests: 1, errors: 1 })
    expect(hanging.answered()).toBe(0)
  })

  it('does not mirror POST by default; mirrors it byte for byte when the user opts in', async () => {
    const payload = bytes(200_001, 5)
    const byDefault = setup({ upstream: other.url })
    const before = other.requests.length
    const response = await byDefault.splitFetch('http://api.internal/echo', { method: 'POST', body: new Uint8Array(payload) })
    expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true)
    expect(routeOf(response)!.shadowed).toBe(false)
    const optedIn = setup({ upstream: other.url, methods: ['POST'] })
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(payload.subarray(0, 100_000))
        controller.enqueue(payload.subarray(100_000))
        controller.close()
      },
    })
    const mirroredCall = await optedIn.splitFetch('http://api.internal/echo', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(Buffer.from(await mirroredCall.arrayBuffer()).equals(payload)).toBe(true)
    await until(() => optedIn.shadowOf().requests === 1)
    expect(other.requests.length).toBe(before + 1)
    expect(other.requests.at(-1)!.body.equals(payload)).toBe(true)
    expect(byDefault.splitFetch.shadowStats().sent).toBe(0)
  })

  it('bounds concurrency: beyond maxConcurrent, copies are dropped and counted, and the primary is unaffected', async () => {
    const { splitFetch } = setup({ upstream: hanging.url, maxConcurrent: 2, timeoutMs: 500 })
    for (let i = 0; i < 5; i++) expect(await (await splitFetch('http://api.internal/hello')).text()).toBe('hello from primary')
    expect(splitFetch.shadowStats()).toMatchObject({ sent: 2, dropped: 3 })
    await until(() => splitFetch.shadowStats().timedOut === 2)
  })

  it('mirrors the chosen percent of calls, drawn from the injected random source', async () => {
    const draws = [0.1, 0.6, 0.2, 0.9, 0.29]
    const { splitFetch, shadowOf } = setup({ upstream: other.url, percent: 30 }, { random: () => draws.shift()! })
    for (let i = 0; i < 5; i++) await (await splitFetch('http://api.internal/hello')).text()
    await until(() => shadowOf().requests === 3)
    expect(splitFetch.shadowStats().sent).toBe(3)
  })

  it('does not mirror a call the primary rejected before sending', async () => {
    const { splitFetch } = setup({ upstream: other.url }, { upstreams: { stable: 'http://127.0.0.1:1' } })
    await expect(splitFetch('http://api.internal/hello')).rejects.toThrow()
    expect(splitFetch.shadowStats().sent).toBe(0)
  })

  it('counts shadow failures apart from primary traffic and compares responses per variant', async () => {
    const compared: [number, number][] = []
    const failingShadow = setup({
      upstream: failing.url,
      compare: (a, b) => {
        compared.push([a.status, b.status])
        return a.status === b.status && a.body === b.body
      },
    })
    const response = await failingShadow.splitFetch('http://api.internal/hello')
    expect(await response.text()).toBe('hello from primary')
    await until(() => failingShadow.splitFetch.shadowStats().mismatches === 1)
    const stats = failingShadow.metrics.snapshot().experiments.api!.stable!
    expect([stats.requests, stats.errors, stats.shadow.requests, stats.shadow.errors, stats.shadow.mismatches]).toEqual([1, 0, 1, 1, 1])
    expect(compared).toEqual([[200, 500]])
  })
  it('calls the platform fetch unbound, as Workers and browsers require ("Illegal invocation" otherwise)', async () => {
    // like the platform's fetch: any `this` but undefined or globalThis is refused
    const strictFetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) return Promise.reject(new TypeError('Illegal invocation'))
      return globalThis.fetch(input, init)
    }
    const { splitFetch, shadowOf } = setup({ upstream: other.url }, { fetch: strictFetch })
    expect(await (await splitFetch('http://api.internal/hello')).text()).toBe('hello from primary')
    await until(() => shadowOf().requests === 1)
    expect(splitFetch.shadowStats()).toMatchObject({ sent: 1, failed: 0 })
    expect(shadowOf().errors).toBe(0)
  })
  it('hands each mirror to waitUntil, which settles when the mirror is recorded (Workers end an invocation at its response)', async () => {
    const held: Promise<unknown>[] = []
    const { splitFetch, shadowOf } = setup({ upstream: other.url }, { waitUntil: (promise) => held.push(promise) })
    const throwing = setup(
      { upstream: other.url },
      {
        waitUntil: () => {
          throw new Error('waitUntil outside a request')
        },
      },
    )
    await (await splitFetch('http://api.internal/hello')).text()
    await (await throwing.splitFetch('http://api.internal/hello')).text()
    expect(held).toHaveLength(1)
    await Promise.all(held)
    expect(shadowOf()).toMatchObject({ requests: 1, errors: 0 })
    await until(() => throwing.shadowOf().requests === 1)
  })
})
