// What an upstream can do to an adapter's proxy, run by every adapter: real servers on 127.0.0.1 port 0,
// real HTTP. Each checks the status, the metrics and that the upstream is left with no open socket.
import { createMetricsRecorder, createSplitter, type SplitlaneConfig, type SplitlaneError } from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deadUrl } from './helloworld.js'
import { settledValue, startHostileUpstream, type HostileUpstream } from './hostile-upstream.js'
import type { AdapterFactory, ScenarioProxy, StartedServer } from './scenarios.js'

/** Every unit goes to `canary` (the hostile upstream); `stable`, control, answers. */
const config = (canary: string, stable: string): SplitlaneConfig => ({
  version: 1,
  experiments: {
    edge: {
      control: 'stable',
      variants: [
        { name: 'stable', weight: 0, value: stable },
        { name: 'canary', weight: 1, value: canary },
      ],
    },
  },
})

/** How a client's read of a whole response ended: its body, an error (the connection closed), or still waiting. */
async function readWithin(url: string, ms: number, signal?: AbortSignal) {
  const started = performance.now()
  const outcome = fetch(url, { signal, headers: { 'x-user-id': 'someone' } }).then(
    async (response) => {
      try {
        return { status: response.status, body: await response.text() }
      } catch {
        return { status: response.status, error: true as const }
      }
    },
    () => ({ error: true as const }),
  )
  const waited = new Promise<{ hung: true }>((resolve) => setTimeout(() => resolve({ hung: true }), ms).unref())
  const result = await Promise.race([outcome, waited])
  return { ...result, ms: performance.now() - started }
}

export function runAttackUpstreamScenarios(adapter: string, start: AdapterFactory): void {
  describe(`${adapter}: a hostile upstream (proxy side)`, () => {
    let hostile: HostileUpstream
    let stable: HostileUpstream
    const servers: StartedServer[] = []
    beforeAll(async () => {
      ;[hostile, stable] = await Promise.all([startHostileUpstream(), startHostileUpstream()])
    })
    afterAll(() => Promise.all([...servers, hostile, stable].map((server) => server.close())))

    const startApp = async (proxy: Partial<ScenarioProxy> = {}, canary = hostile.url) => {
      const errors: SplitlaneError[] = []
      const metrics = createMetricsRecorder()
      const splitter = createSplitter({ config: config(canary, stable.url) })
      const server = await start({
        options: { splitter, metrics, cookie: false, userIdHeader: 'x-user-id', onError: (error) => errors.push(error) },
        routedExperiment: 'edge',
        proxies: [{ prefix: '/edge', experiment: 'edge', ...proxy }],
        userHeader: 'x-auth-user',
      })
      servers.push(server)
      const stats = (variant = 'canary') => {
        const counted = metrics.snapshot().experiments['edge']?.[variant]
        return { requests: counted?.requests ?? 0, errors: counted?.errors ?? 0, fallbacks: counted?.fallbacks ?? 0 }
      }
      /** The canary's stats once `requests` are recorded (outcomes are recorded when the response ends). */
      const settledStats = async (requests: number) => {
        await settledValue(() => stats().requests, requests)
        return stats()
      }
      return { url: `${server.url}/edge`, errors, stats, settledStats }
    }

    it('20 clients that give up on a hanging upstream leave it no open socket, and count as errors of the variant', async () => {
      const app = await startApp()
      const before = hostile.received()
      const clients = Array.from({ length: 20 }, () => new AbortController())
      const reads = clients.map((client) => readWithin(`${app.url}/hang`, 5000, client.signal))
      expect(await settledValue(() => hostile.received() - before, 20)).toBe(20)
      for (const client of clients) client.abort()
      expect((await Promise.all(reads)).every((read) => 'error' in read)).toBe(true)
      expect(await settledValue(() => hostile.openSockets(), 0)).toBe(0)
      expect(await app.settledStats(20)).toMatchObject({ requests: 20, errors: 20 })
    })

    it('a hanging upstream is answered 504 after timeoutMs, reported as UPSTREAM_TIMEOUT, its socket closed', async () => {
      const app = await startApp({ timeoutMs: 200 })
      const read = await readWithin(`${app.url}/hang`, 5000)
      expect(read).toMatchObject({ status: 504 })
      expect(read.ms).toBeGreaterThanOrEqual(190)
      expect(read.ms).toBeLessThan(2000)
      expect(app.errors.map((error) => error.code)).toContain('SPLITLANE_ERR_UPSTREAM_TIMEOUT')
      expect(await app.settledStats(1)).toMatchObject({ requests: 1, errors: 1 })
      expect(await settledValue(() => hostile.openSockets(), 0)).toBe(0)
    })

    it('an upstream that resets mid-body: the client connection is closed (no clean 200), an error of the variant', async () => {
      const app = await startApp()
      const read = await readWithin(`${app.url}/reset`, 3000)
      expect(read).toMatchObject({ status: 200, error: true })
      expect(await app.settledStats(1)).toMatchObject({ requests: 1, errors: 1 })
      expect(await settledValue(() => hostile.openSockets(), 0)).toBe(0)
    })

    it('an upstream that stalls mid-body does not hold the client past timeoutMs: connection closed, an error', async () => {
      const app = await startApp({ timeoutMs: 300 })
      const read = await readWithin(`${app.url}/stall`, 5000)
      expect(read).toMatchObject({ status: 200, error: true })
      expect(read.ms).toBeLessThan(2500)
      expect(await app.settledStats(1)).toMatchObject({ requests: 1, errors: 1 })
      expect(await settledValue(() => hostile.openSockets(), 0)).toBe(0)
    })

    it('with fallback, an upstream that always resets mid-body opens its circuit: later requests go to control', async () => {
      // The canary's upstream URL ends in /reset: every call to it resets mid-body; control answers.
      const app = await startApp({ fallback: { breaker: { failureThreshold: 2, coolDownMs: 60_000 } } }, `${hostile.url}/reset`)
      for (let i = 1; i <= 2; i++) {
        expect(await readWithin(`${app.url}/x`, 3000)).toMatchObject({ status: 200, error: true }) // headers 200, then the reset
        await app.settledStats(i)
      }
      // A 200 whose body then broke is a failure for the breaker, not a success that resets its count.
      expect(await readWithin(`${app.url}/x`, 3000)).toMatchObject({ status: 200, body: 'ok' })
      expect(await app.settledStats(3)).toMatchObject({ requests: 3, errors: 2, fallbacks: 1 })
      expect(await settledValue(() => hostile.openSockets(), 0)).toBe(0)
    })

    it('a refused upstream is answered 502, reported as UPSTREAM_FAILED, an error of the variant', async () => {
      const app = await startApp({}, await deadUrl())
      expect(await readWithin(`${app.url}/x`, 5000)).toMatchObject({ status: 502 })
      expect(app.errors.map((error) => error.code)).toContain('SPLITLANE_ERR_UPSTREAM_FAILED')
      expect(await app.settledStats(1)).toMatchObject({ requests: 1, errors: 1 })
    })

    it('with fallback, a refused upstream is retried once on control for a GET: 200, an error and a fallback of the variant', async () => {
      const app = await startApp({ fallback: { breaker: false } }, await deadUrl())
      expect(await readWithin(`${app.url}/x`, 5000)).toMatchObject({ status: 200, body: 'ok' })
      expect(await app.settledStats(1)).toMatchObject({ requests: 1, errors: 1, fallbacks: 1 })
      expect(app.stats('stable').requests).toBe(0)
    })
  })
}
