import { createMetricsRecorder, createSplitter, ErrorCode, type SplitlaneError, type SplitlaneConfig } from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytes, startUpstream, type TestServer } from '../test/servers.js'
import { createSplitFetch, routeOf, type SplitCall } from './index.js'

let upstreams: (TestServer & { streamed: Buffer[] })[]
const names = ['v1', 'v2', 'v3'] as const

beforeAll(async () => {
  upstreams = await Promise.all(names.map((name) => startUpstream(name)))
})
afterAll(async () => {
  await Promise.all(upstreams.map((server) => server.close()))
})

const config = (mode: 'sticky' | 'random' = 'sticky'): SplitlaneConfig => ({
  version: 1,
  revision: 'r1',
  experiments: {
    helloworld: {
      mode,
      variants: names.map((name, index) => ({ name, weight: [10, 10, 80][index], value: upstreams[index]!.url })),
    },
  },
})

const userOf = (call: SplitCall) => call.headers.get('x-user-id')

async function inBatches<T>(count: number, size: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let start = 0; start < count; start += size)
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => run(start + i)))))
  return out
}

describe('createSplitFetch', () => {
  it('splits 2,000 users 10/10/80 across three real upstreams within 3 standard deviations, and counts each', async () => {
    const splitter = createSplitter({ config: config() })
    const metrics = createMetricsRecorder()
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf, metrics })
    const served = await inBatches(2000, 25, async (i) => {
      const response = await splitFetch('http://helloworld.internal/hello', { headers: { 'x-user-id': `user-${i}` } })
      expect(await response.text()).toBe(`hello from ${response.headers.get('x-upstream')}`)
      expect(routeOf(response)?.servedBy).toBe(response.headers.get('x-upstream'))
      return response.headers.get('x-upstream')!
    })
    names.forEach((name, index) => {
      const share = [0.1, 0.1, 0.8][index]!
      const observed = served.filter((each) => each === name).length
      const sd = Math.sqrt(2000 * share * (1 - share))
      expect(Math.abs(observed - 2000 * share)).toBeLessThanOrEqual(3 * sd)
      const stats = metrics.snapshot().experiments.helloworld![name]!
      expect([stats.requests, stats.statusClasses['2xx'], stats.latencyMs.count, stats.errors]).toEqual([observed, observed, observed, 0])
    })
  })

  it('is sticky: a user reaches the same upstream on every call, the one variantOf names, and it is labelled', async () => {
    const splitter = createSplitter({ config: config() })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf })
    for (const user of ['user-1', 'user-2', 'user-42']) {
      const expected = splitter.variantOf('helloworld', user)
      for (let i = 0; i < 10; i++) {
        const response = await splitFetch('http://helloworld.internal/hello', { headers: { 'x-user-id': user } })
        expect(response.headers.get('x-upstream')).toBe(expected)
        await response.arrayBuffer()
      }
      const server = upstreams[names.indexOf(expected as (typeof names)[number])]!
      expect(server.requests.at(-1)!.headers['splitlane-variant']).toBe(`helloworld=${expected}`)
      expect(server.requests.at(-1)!.headers['x-user-id']).toBe(user)
    }
  })

  it('in random mode draws per call, whatever the key', async () => {
    const splitter = createSplitter({ config: config('random'), random: Math.random })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf })
    const served = await inBatches(300, 25, async () => {
      const response = await splitFetch('http://helloworld.internal/hello', { headers: { 'x-user-id': 'same-user' } })
      await response.arrayBuffer()
      return response.headers.get('x-upstream')
    })
    expect(new Set(served).size).toBe(3)
  })

  it('passes request bodies through byte for byte, reusable or streamed', async () => {
    const splitter = createSplitter({ config: config() })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf })
    const payload = bytes(1_000_003, 3)
    const fromBuffer = await splitFetch('http://x/echo', { method: 'POST', body: new Uint8Array(payload), headers: { 'x-user-id': 'u1' } })
    expect(Buffer.from(await fromBuffer.arrayBuffer()).equals(payload)).toBe(true)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < payload.length; at += 65_536) controller.enqueue(payload.subarray(at, at + 65_536))
        controller.close()
      },
    })
    const init = { method: 'POST', body: stream, duplex: 'half', headers: { 'x-user-id': 'u2' } } as RequestInit
    const fromStream = await splitFetch('http://x/echo', init)
    expect(Buffer.from(await fromStream.arrayBuffer()).equals(payload)).toBe(true)
    const fromRequest = await splitFetch(
      new Request('http://x/echo', { method: 'PUT', body: 'text body é', headers: { 'x-user-id': 'u3' } }),
    )
    expect(await fromRequest.text()).toBe('text body é')
  })

  it('streams the response through as it arrives: the first chunk is read before the upstream sends the rest', async () => {
    const splitter = createSplitter({ config: config() })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf })
    const response = await splitFetch('http://x/stream', { headers: { 'x-user-id': 'user-7' } })
    const server = upstreams[names.indexOf(response.headers.get('x-upstream') as (typeof names)[number])]!
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(Buffer.from(first.value!).equals(server.streamed[0]!.subarray(0, first.value!.length))).toBe(true)
    await (await fetch(`${server.url}/release`)).text()
    const chunks = [Buffer.from(first.value!)]
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(Buffer.from(next.value))
    expect(Buffer.concat(chunks).equals(Buffer.concat(server.streamed))).toBe(true)
  })

  it('keeps the path and query under an upstream path prefix', async () => {
    const splitter = createSplitter({ config: config() })
    const prefixed = Object.fromEntries(names.map((name, index) => [name, `${upstreams[index]!.url}/base/`]))
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf, upstreams: prefixed })
    const response = await splitFetch('http://helloworld.internal/a/b?c=1', { headers: { 'x-user-id': 'user-9' } })
    await response.text()
    const server = upstreams[names.indexOf(response.headers.get('x-upstream') as (typeof names)[number])]!
    expect(server.requests.at(-1)!.url).toBe('/base/a/b?c=1')
  })

  it('never fails a call for splitlane reasons: a throwing getter or a bad upstream gives control and a report', async () => {
    const errors: SplitlaneError[] = []
    const bad = { ...config(), experiments: { helloworld: { ...config().experiments.helloworld!, overrides: { 'user-x': 'v3' } } } }
    bad.experiments.helloworld.variants = bad.experiments.helloworld.variants.map((v) =>
      v.name === 'v3' ? { ...v, value: 'not a url' } : v,
    )
    const splitter = createSplitter({ config: bad })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf, onError: (error) => errors.push(error) })
    const response = await splitFetch('http://x/hello', { headers: { 'x-user-id': 'user-x' } })
    expect(response.headers.get('x-upstream')).toBe('v1')
    expect(routeOf(response)!.fallback).toMatchObject({ reason: 'upstream_invalid', from: 'v3', to: 'v1' })
    expect(routeOf(response)!.explain()).toContain('Fallback: "v3" has no usable upstream')
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.UpstreamInvalid])
    const throwing = createSplitFetch({
      splitter,
      experiment: 'helloworld',
      key: () => {
        throw new Error('boom')
      },
      onError: (error) => errors.push(error),
    })
    const fromThrowing = await throwing('http://x/hello')
    expect(fromThrowing.headers.get('x-upstream')).toBe('v1')
    expect(errors.at(-1)!.code).toBe(ErrorCode.GetterFailed)
  })

  it('sends a call to control with UPSTREAM_ENV_MISSING when a header names ${constructor} or the runtime refuses env reads', async () => {
    const withHeaders = (headers: Record<string, string>) => {
      const base = config()
      const variants = base.experiments.helloworld!.variants.map((v) =>
        v.name === 'v3' ? { ...v, value: { url: upstreams[2]!.url, headers } } : v,
      )
      return createSplitter({
        config: { ...base, experiments: { helloworld: { ...base.experiments.helloworld!, variants, overrides: { 'user-x': 'v3' } } } },
      })
    }
    // Deno without --allow-env: reading a variable throws NotCapable
    const refusing = Object.defineProperty({}, 'KEY', {
      enumerable: true,
      get: () => {
        throw new Error('NotCapable: Requires env access to "KEY", run again with the --allow-env flag')
      },
    }) as Record<string, string>
    for (const [headers, env] of [
      [{ 'x-key': '${constructor}' }, {}],
      [{ authorization: 'Bearer ${KEY}' }, refusing],
    ] as const) {
      const errors: SplitlaneError[] = []
      const splitFetch = createSplitFetch({
        splitter: withHeaders(headers),
        experiment: 'helloworld',
        key: userOf,
        env,
        onError: (error) => errors.push(error),
      })
      const response = await splitFetch('http://x/hello', { headers: { 'x-user-id': 'user-x' } })
      expect(response.headers.get('x-upstream')).toBe('v1')
      expect(routeOf(response)!.fallback).toMatchObject({
        reason: 'upstream_invalid',
        from: 'v3',
        to: 'v1',
        code: ErrorCode.UpstreamEnvMissing,
      })
      expect(errors.map((error) => error.code)).toEqual([ErrorCode.UpstreamEnvMissing])
      expect(upstreams[0]!.requests.at(-1)!.headers['x-key']).toBeUndefined()
    }
  })

  it('rejects, as fetch does, when the call cannot be built, and leaves a response it cannot label untouched', async () => {
    const splitter = createSplitter({ config: config() })
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf })
    const started = splitFetch(new Request('http://x/hello'), { method: 'GET POST' })
    await expect(started).rejects.toThrow(TypeError)

    const frozen = Object.freeze(new Response('as is'))
    const frozenFetch = createSplitFetch({ splitter, experiment: 'helloworld', key: userOf, fetch: () => Promise.resolve(frozen) })
    const response = await frozenFetch('http://x/hello', { headers: { 'x-user-id': 'user-1' } })
    expect([response, routeOf(response), await response.text()]).toEqual([frozen, undefined, 'as is'])
  })
})
