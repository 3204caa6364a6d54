import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createUrlConfigSource } from './config-source-url.js'
import type { ConfigRejection, ConfigSource } from './config-source.js'

function config(revision: string, canaryWeight: number): SplitlaneConfig {
  return {
    version: 1,
    revision,
    experiments: {
      checkout: {
        variants: [
          { name: 'control', weight: 100 - canaryWeight },
          { name: 'canary', weight: canaryWeight },
        ],
      },
    },
  }
}

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
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(expected[i]! * 0.95))
    expect(gaps[3]!).toBeGreaterThan(gaps[2]!)
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!)
    expect(gaps[4]!).toBeLessThan(gaps[3]!)
    expect(splitter.revision).toBe('r1')
  })

  it('aborts a poll that hangs past the timeout and counts it as a failure', async () => {
    const { url } = await serve([() => {}])
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createUrlConfigSource({ url, splitter, timeoutMs: 100, onReject: (rejection) => rejections.push(rejection) })
    expect(await source.ready).toMatchObject({ revision: 'r0', consecutiveFailures: 1 })
    expect(rejections[0]!.error.code).toBe('SPLITLANE_ERR_SOURCE_UNAVAILABLE')
  })
})
