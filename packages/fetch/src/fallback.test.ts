import { createMetricsRecorder, createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, startServer, startUpstream, type TestServer } from '../test/servers.js'
import { createSplitFetch, routeOf } from './index.js'
import type { FallbackOptions } from './types.js'

let stable: TestServer
let flaky: TestServer
let flakyStatus = 500

beforeAll(async () => {
  stable = await startUpstream('stable')
  flaky = await startServer((_request, response) => {
    response.writeHead(flakyStatus, { 'x-upstream': 'flaky' })
    response.end(`flaky says ${flakyStatus}`)
  })
})
afterAll(() => Promise.all([stable.close(), flaky.close()]))

/** Everyone is assigned `canary`; `stable` is control. */
const config = (canaryUrl: string): SplitlaneConfig => ({
  version: 1,
  experiments: {
    api: {
      control: 'stable',
      variants: [
        { name: 'stable', weight: 0, value: stable.url },
        { name: 'canary', weight: 1, value: canaryUrl },
      ],
    },
  },
})

function setup(canaryUrl: string, fallback: FallbackOptions | undefined, clock = { now: 0 }) {
  const metrics = createMetricsRecorder()
  const splitter = createSplitter({ config: config(canaryUrl) })
  const splitFetch = createSplitFetch({ splitter, experiment: 'api', key: () => 'user-1', metrics, fallback, now: () => clock.now })
  return { splitFetch, stats: () => metrics.snapshot().experiments.api?.canary }
}

describe('fallback to control', () => {
  it('retries an idempotent call once on control after a network error, counted and explained', async () => {
    const { splitFetch, stats } = setup('http://127.0.0.1:1', { breaker: false })
    const response = await splitFetch('http://api.internal/hello')
    expect(await response.text()).toBe('hello from stable')
    const route = routeOf(response)!
    expect([route.assignment.variant, route.servedBy, route.fallback?.reason]).toEqual(['canary', 'stable', 'network_error'])
    expect(route.explain()).toMatch(
      /"canary".*Fallback: the call to "canary" failed with a network error, so it was retried once on control "stable"\.$/s,
    )
    expect(stats()).toMatchObject({ requests: 1, errors: 1, fallbacks: 1 })
    expect(stable.requests.at(-1)!.headers['splitlane-variant']).toBe('api=stable')
  })

  it('retries a 5xx only when the user marks it retryable, and never a POST', async () => {
    flakyStatus = 503
    const unmarked = setup(flaky.url, { breaker: false })
    const plain = await unmarked.splitFetch('http://api.internal/hello')
    expect([plain.status, await plain.text(), routeOf(plain)!.fallback]).toEqual([503, 'flaky says 503', undefined])
    expect(unmarked.stats()).toMatchObject({ requests: 1, errors: 1, fallbacks: 0 })

    const marked = setup(flaky.url, { retryableStatuses: [503], breaker: false })
    const retried = await marked.splitFetch('http://api.internal/hello')
    expect([retried.status, await retried.text()]).toEqual([200, 'hello from stable'])
    expect(routeOf(retried)!.fallback).toMatchObject({ reason: 'retryable_status', status: 503 })
    expect(routeOf(retried)!.explain()).toContain('"canary" answered 503, marked retryable')

    const post = await marked.splitFetch('http://api.internal/hello', { method: 'POST', body: 'x' })
    expect(post.status).toBe(503)
    await post.text()
    await expect(setup('http://127.0.0.1:1', {}).splitFetch('http://api.internal/x', { method: 'POST', body: 'x' })).rejects.toThrow()
  })

  it('a retried PUT reaches control with its body intact', async () => {
    flakyStatus = 500
    const { splitFetch } = setup(flaky.url, { retryableStatuses: [500], breaker: false })
    const payload = bytes(300_000, 11)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(payload))
        controller.close()
      },
    })
    const response = await splitFetch('http://api.internal/echo', { method: 'PUT', body: stream, duplex: 'half' } as RequestInit)
    expect(Buffer.from(await response.arrayBuffer()).equals(payload)).toBe(true)
    expect(flaky.requests.at(-1)!.body.equals(payload)).toBe(true)
  })

  it('the circuit breaker opens after repeated failures, sends the variant to control, probes after the cool-down, closes on success', async () => {
    flakyStatus = 500
    const clock = { now: 1_000 }
    const { splitFetch, stats } = setup(
      flaky.url,
      { retryableStatuses: [500], breaker: { failureThreshold: 3, coolDownMs: 10_000 } },
      clock,
    )
    const call = async () => {
      const response = await splitFetch('http://api.internal/hello')
      await response.text()
      return routeOf(response)!
    }
    const before = flaky.requests.length
    for (let i = 0; i < 3; i++) expect((await call()).fallback?.reason).toBe('retryable_status')
    expect(flaky.requests.length).toBe(before + 3)
    const open = await call()
    expect([open.servedBy, open.fallback?.reason]).toEqual(['stable', 'circuit_open'])
    expect(open.explain()).toContain('the circuit breaker for "canary" is open')
    expect(flaky.requests.length).toBe(before + 3)

    clock.now += 10_000
    expect((await call()).fallback?.reason).toBe('retryable_status')
    expect(flaky.requests.length).toBe(before + 4)
    expect((await call()).fallback?.reason).toBe('circuit_open')

    flakyStatus = 200
    clock.now += 10_000
    const probe = await call()
    expect([probe.servedBy, probe.fallback]).toEqual(['canary', undefined])
    expect((await call()).servedBy).toBe('canary')
    expect(flaky.requests.length).toBe(before + 6)
    expect(stats()).toMatchObject({ requests: 8, fallbacks: 6, errors: 4 })
  })
})
