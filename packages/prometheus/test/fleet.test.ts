// The fleet, for real: three instances (Express, Fastify, a Fetch-API server) each polling the
// controller's document, exporting per-variant metrics on /metrics, scraped every second by a real
// Prometheus; the controller judges the fleet's window and writes the next weights. Time is
// compressed: 2 s range steps, 12 s analyses (the first 3.5 s after a weight change left out), 0.5 s polls.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createSplitter, type Splitter } from '@splitlane/core'
import { type RolloutPlan } from '@splitlane/core/rollout'
import { createCallInstrumentation, createOtelInstrumentation } from '@splitlane/core/otel'
import { splitlane as expressSplitlane } from '@splitlane/express'
import { splitlane as fastifySplitlane } from '@splitlane/fastify'
import { assignmentsOf, createSplitFetch, withSplitlane } from '@splitlane/fetch'
import { createUrlConfigSource, type UrlConfigSource } from '@splitlane/sources'
import { startFakeOpenAi, type FakeOpenAi } from '@splitlane/test-utils'
import { startPrometheus, type PrometheusHandle } from '@splitlane/test-utils/prometheus'
import express from 'express'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createFileConfigStore,
  createPrometheusClient,
  createPrometheusSource,
  createRolloutController,
  serveController,
  type ControllerServer,
  type RolloutController,
  type RolloutStatusReport,
} from '../src/index.js'

const POLL_MS = 500
const TICK_MS = 250
const STEP_MS = 2000
const EXPERIMENT = 'checkout'
/** An LLM split the Fetch-API instance also serves (tokens, cost and time to first byte for the dashboard), apart from the rollout. */
const LLM_EXPERIMENT = 'chat'
const LLM_PRICES = { mini: { prompt: 0.15, completion: 0.6 }, large: { prompt: 2.5, completion: 10 } }
const DASHBOARD = fileURLToPath(new URL('../../../docs/dashboards/splitlane-grafana.json', import.meta.url))

// Canary and baseline run the same handler in one loaded process: their p99 differs by noise alone, which made a
// healthy canary fail on latency in CI. Latency counts from twice the baseline's; (b) fails on its error rate.
const judge = { series: { 'latency-p99': { allowedIncrease: 2 } } }

const plan: RolloutPlan = {
  experiment: EXPERIMENT,
  canary: 'canary',
  baseline: 'stable',
  steps: [
    { setWeight: 1 },
    { pause: { durationMs: 2000 } },
    { setWeight: 5 },
    { analysis: { intervalMs: 12_000, minRequests: 40, inconclusiveLimit: 1, judge } },
    { setWeight: 25 },
    { analysis: { intervalMs: 12_000, minRequests: 40, inconclusiveLimit: 1, judge } },
  ],
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))

/** The canary's share of 503s, switched per scenario. */
let canaryFailRatio = 0
let served = 0
const failsNow = (variant: string | null | undefined) => variant === 'canary' && (served++ % 10) / 10 < canaryFailRatio

interface Instance {
  name: string
  target: string
  splitter: Splitter
  source: UrlConfigSource
  /** When each poll of the config document started. */
  polls: number[]
  close(): Promise<void>
}

function telemetry() {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  return { exporter, meterProvider, otel: createOtelInstrumentation({ meterProvider }) }
}

async function startInstance(kind: 'express' | 'fastify' | 'fetch', configUrl: string, llmUrl: string): Promise<Instance> {
  const splitter = createSplitter({ config: { version: 1, experiments: { [EXPERIMENT]: { variants: [{ name: 'stable' }] } } } })
  // Failed polls (the controller is down between scenarios) are expected here; the last good config stays.
  const polls: number[] = []
  const source = createUrlConfigSource({
    url: configUrl,
    splitter,
    intervalMs: POLL_MS,
    maxBackoffMs: POLL_MS,
    onReject: () => {},
    fetch: (input, init) => (polls.push(Date.now()), fetch(input, init)),
  })
  const { exporter, meterProvider, otel } = telemetry()
  const options = { splitter, otel, cookie: false as const, experiments: [EXPERIMENT] }
  let target: string
  let stop: () => Promise<void>
  if (kind === 'express') {
    const app = express()
    app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res))
    app.get(
      '/work',
      expressSplitlane({ ...options, getKey: (req) => (typeof req.query.u === 'string' ? req.query.u : undefined) }),
      (req, res) => {
        res.status(failsNow(req.splitlane?.[EXPERIMENT]?.variant) ? 503 : 200).send('ok')
      },
    )
    const server = createServer(app)
    target = `127.0.0.1:${await listen(server)}`
    stop = () => new Promise((resolve) => server.close(() => resolve()))
  } else if (kind === 'fastify') {
    const app = Fastify()
    app.get('/metrics', (req, reply) => {
      reply.hijack()
      exporter.getMetricsRequestHandler(req.raw, reply.raw)
    })
    await app.register(async (scope) => {
      await scope.register(fastifySplitlane, { ...options, getKey: (req) => String((req.query as { u?: string }).u) })
      scope.get('/work', (req, reply) => reply.code(failsNow(req.splitlane?.[EXPERIMENT]?.variant) ? 503 : 200).send('ok'))
    })
    target = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('http://', '')
    stop = () => app.close()
  } else {
    const handler = withSplitlane(
      (request: Request) => new Response('ok', { status: failsNow(assignmentsOf(request)[EXPERIMENT]?.variant) ? 503 : 200 }),
      { ...options, getKey: (request) => new URL(request.url).searchParams.get('u') ?? undefined },
    )
    // `/llm?u=` asks the fake OpenAI upstream through an LLM split (outside withSplitlane: not the rollout's traffic).
    const llmFetch = createSplitFetch({
      splitter,
      experiment: LLM_EXPERIMENT,
      key: (call) => call.headers.get('x-user'),
      upstreams: Object.fromEntries(
        Object.entries(LLM_PRICES).map(([name, prices]) => [name, { url: `${llmUrl}/v1`, model: `gpt-${name}`, prices }]),
      ),
      otel: createCallInstrumentation({ meterProvider }),
    })
    const chat = async (user: string) => {
      const body = JSON.stringify({ messages: [{ content: 'how many tokens is this' }] })
      const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': user }, body }
      return llmFetch('http://llm/chat/completions', init).then(
        (response) => response,
        () => new Response('no llm upstream yet', { status: 502 }), // before the first poll the config has no chat experiment
      )
    }
    // node:http -> Request -> Response, enough for GETs without a body.
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/metrics') return exporter.getMetricsRequestHandler(req, res)
      const url = new URL(`http://${req.headers.host}${req.url}`)
      const answer = url.pathname === '/llm' ? chat(url.searchParams.get('u') ?? '') : handler(new Request(url))
      void Promise.resolve(answer).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      })
    })
    target = `127.0.0.1:${await listen(server)}`
    stop = () => new Promise((resolve) => server.close(() => resolve()))
  }
  return {
    name: kind,
    target,
    splitter,
    source,
    polls,
    async close() {
      source.close()
      await stop()
      await meterProvider.shutdown()
    },
  }
}

let dir = ''
let configPath = ''
let instances: Instance[] = []
let prometheus: PrometheusHandle
let openai: FakeOpenAi
let controllerPort = 0
let controller: RolloutController | undefined
let server: ControllerServer | undefined
let loadRunning = true
let load: Promise<void> = Promise.resolve()
let queries = 0
const queriesPerTick: number[] = []
const measured: Record<string, number | number[]> = { convergenceMs: [], convergencePolls: [] }
/** When the controller wrote each revision (its status callback runs after the write). */
const writtenAt = new Map<string, number>()

/** Counts the Prometheus HTTP calls of each tick. */
const countingFetch: typeof fetch = (input, init) => {
  queries++
  return fetch(input, init)
}

async function startController(): Promise<void> {
  const source = createPrometheusSource({ url: prometheus.url, fetch: countingFetch, timeoutMs: 2000, retries: 1, retryDelayMs: 100 })
  controller = createRolloutController({
    plan,
    configStore: createFileConfigStore(configPath),
    metricsSource: source,
    stepMs: STEP_MS,
    // Two polls and a scrape, with room for a busy machine: what was served under the old revision is scraped by then.
    settleMs: 2 * POLL_MS + 2500,
    onStatus: (report) => {
      if (!writtenAt.has(report.revision)) writtenAt.set(report.revision, Date.now())
      if (queries > 0) queriesPerTick.push(queries)
      queries = 0
    },
  })
  await controller.tick()
  server = await serveController(controller, { port: controllerPort, token: 'fleet-secret' })
  controller.start(TICK_MS)
}

/** Like kill -9 for what the test can see: no goodbye write, the timers and the server just stop. */
async function killController(): Promise<void> {
  await controller?.stop()
  await server?.close()
  controller = undefined
  server = undefined
}

async function freshRollout(revision: string): Promise<void> {
  await killController()
  const config = {
    version: 1,
    revision,
    experiments: {
      [EXPERIMENT]: {
        variants: [
          { name: 'stable', weight: 1_000_000 },
          { name: 'canary', weight: 0 },
        ],
      },
      [LLM_EXPERIMENT]: { variants: Object.keys(LLM_PRICES).map((name) => ({ name })) },
    },
  }
  await writeFile(configPath, JSON.stringify(config, null, 2))
  await startController()
}

async function waitFor(what: string, check: (status: RolloutStatusReport) => boolean, timeoutMs = 30_000): Promise<RolloutStatusReport> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const status = controller?.status()
    if (status && check(status)) return status
    if (Date.now() > until)
      throw new Error(`waited ${timeoutMs} ms for ${what}; status: ${JSON.stringify({ ...status, state: undefined })}`)
    await sleep(50)
  }
}

/**
 * Until every instance serves `revision`: the ms since the weight changed, and the most polls any instance
 * started after the document was written before it served it ("within two polls" counted in polls, which a
 * loaded machine cannot stretch: its timers fire late, and that adds ms, not polls).
 */
async function converge(revision: string, since: number): Promise<{ ms: number; polls: number }> {
  const pollsTaken = new Map<Instance, number>()
  while (pollsTaken.size < instances.length) {
    if (Date.now() - since > 10_000) throw new Error(`instances did not converge on ${revision}`)
    const written = writtenAt.get(revision) ?? since
    for (const instance of instances)
      if (!pollsTaken.has(instance) && String(instance.splitter.config.revision) === revision)
        pollsTaken.set(instance, instance.polls.filter((at) => at >= written).length)
    await sleep(20)
  }
  return { ms: Date.now() - since, polls: Math.max(...pollsTaken.values()) }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-fleet-'))
  configPath = join(dir, 'config.json')
  // Hold the controller's port (instances poll one URL across controller restarts; Prometheus scrapes
  // the controller's /metrics for the dashboard) with an empty stand-in until the first controller starts.
  const standIn = createServer((_req, res) => res.end())
  controllerPort = await listen(standIn)
  const configUrl = `http://127.0.0.1:${controllerPort}/config`
  openai = await startFakeOpenAi()
  instances = await Promise.all((['express', 'fastify', 'fetch'] as const).map((kind) => startInstance(kind, configUrl, openai.url)))
  prometheus = await startPrometheus({ targets: [...instances.map((instance) => instance.target), `127.0.0.1:${controllerPort}`] })
  await new Promise((resolve) => standIn.close(resolve))
  // About 200 requests a second on a quiet machine over the fleet, random keys, until the end.
  load = (async () => {
    let key = 0
    const llmTarget = instances.find((instance) => instance.name === 'fetch')!.target
    const drain = (response: Promise<Response>) =>
      response.then(
        (answer) => answer.arrayBuffer(),
        () => undefined,
      )
    while (loadRunning) {
      await Promise.all([
        ...instances.flatMap((instance) => Array.from({ length: 8 }, () => drain(fetch(`http://${instance.target}/work?u=u${key++}`)))),
        // and one LLM call a round (about 10 a second)
        drain(fetch(`http://${llmTarget}/llm?u=u${key++}`)),
      ])
      await sleep(90)
    }
  })()
}, 60_000)

afterAll(async () => {
  loadRunning = false
  await load
  await killController()
  await prometheus?.close()
  await Promise.all(instances.map((instance) => instance.close()))
  await openai?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
  console.log(`fleet measurements: ${JSON.stringify(measured)}; prometheus queries per analysis tick: ${JSON.stringify(queriesPerTick)}`)
})

describe('a fleet of three instances, one controller, a real Prometheus', () => {
  it('(a) ramps a healthy canary 1 -> 5 -> 25 -> 100, every instance on each revision within two polls; (c) a killed controller resumes at the same step and weight', async () => {
    canaryFailRatio = 0
    const started = Date.now()
    await freshRollout('a')
    const seen = new Set<number>()
    let killed = false
    for (const weight of [1, 5, 25, 100]) {
      const status = await waitFor(`canary weight ${weight}`, (report) => report.canaryWeight === weight)
      const convergence = await converge(status.revision, status.state.weightChangedAt)
      ;(measured.convergenceMs as number[]).push(convergence.ms)
      ;(measured.convergencePolls as number[]).push(convergence.polls)
      expect(convergence.polls).toBeLessThanOrEqual(2)
      seen.add(weight)
      const split = instances.map(
        (instance) => instance.splitter.config.experiments[EXPERIMENT]!.variants.find((v) => v.name === 'canary')!.weight,
      )
      expect(split).toEqual([weight * 10_000, weight * 10_000, weight * 10_000])
      if (weight === 5 && !killed) {
        killed = true
        const before = controller!.status()!
        await killController()
        const onDisk = JSON.parse(await readFile(configPath, 'utf8')) as { rollout: RolloutStatusReport }
        expect(onDisk.rollout.canaryWeight).toBe(5)
        await startController()
        const after = controller!.status()!
        expect({ step: after.step, weight: after.canaryWeight, revision: after.revision, history: after.state.history.length }).toEqual({
          step: before.step,
          weight: before.canaryWeight,
          revision: before.revision,
          history: before.state.history.length,
        })
        expect(after.state.history.filter((event) => event.action === 'start')).toHaveLength(1)
      }
    }
    const done = await waitFor('promoted', (report) => report.status === 'promoted')
    expect([...seen]).toEqual([1, 5, 25, 100])
    const weights = done.state.history.filter((event) => event.action === 'set-weight').map((event) => event.message)
    expect(weights.join('\n')).toMatch(/0% -> 1%[^]*1% -> 5%[^]*5% -> 25%/)
    measured.rampMs = Date.now() - started
  }, 90_000)

  it('(b) rolls a canary answering 503 to 30% back on the whole fleet at its first analysis, naming the metric', async () => {
    canaryFailRatio = 0.3
    await freshRollout('b')
    const failing = await waitFor('canary weight 5', (report) => report.canaryWeight === 5)
    const rolledBack = await waitFor('rollback', (report) => report.status === 'rolled-back')
    const fleetBack = (await converge(rolledBack.revision, rolledBack.state.weightChangedAt)).ms
    measured.failingCanaryToRollbackMs = rolledBack.state.weightChangedAt - failing.state.weightChangedAt + fleetBack
    const analyses = rolledBack.state.history.filter((event) => event.action === 'analysis')
    expect(analyses.map((event) => event.message)).toEqual([expect.stringMatching(/failed: judge Fail/)])
    expect(rolledBack.reason).toMatch(/error-rate/)
    expect(instances.every((instance) => instance.splitter.config.experiments[EXPERIMENT]!.variants[1]!.weight === 0)).toBe(true)
    canaryFailRatio = 0
  }, 60_000)

  it('every panel query of the Grafana dashboard returns data from this Prometheus', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] }
    const client = createPrometheusClient({ url: prometheus.url })
    // Series with data per panel query, for each experiment the dashboard's $experiment can pick: the rollout's
    // (requests, errors, latency, weight) or the LLM split (tokens, cost and time to first byte exist only there).
    const results: Record<string, Record<string, number>> = {}
    for (const panel of dashboard.panels)
      for (const { expr } of panel.targets)
        for (const experiment of [EXPERIMENT, LLM_EXPERIMENT]) {
          const query = expr.replaceAll('$experiment', experiment).replaceAll('$__rate_interval', '4s')
          const series = await client.query(query, Date.now())
          ;(results[`${panel.title}: ${expr}`] ??= {})[experiment] = series.filter((one) =>
            one.points.some((point) => Number.isFinite(point.value)),
          ).length
        }
    expect(Object.entries(results).filter(([, counts]) => Math.max(...Object.values(counts)) === 0)).toEqual([])
    for (const instrument of ['splitlane_request_time_to_first_byte_bucket', 'splitlane_llm_tokens_total', 'splitlane_llm_cost_total'])
      expect(
        Object.entries(results).some(([query, counts]) => query.includes(instrument) && counts[LLM_EXPERIMENT]! > 0),
        instrument,
      ).toBe(true)
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(8)
  })

  it('(d) with Prometheus stopped, the controller holds, reports why, and promotes nothing', async () => {
    await freshRollout('d')
    await waitFor('canary weight 5', (report) => report.canaryWeight === 5)
    await prometheus.close()
    const held = await waitFor(
      'a run without evidence',
      (report) => report.state.analysis.inconclusive >= 1 || report.status === 'paused',
      30_000,
    )
    expect(held.state.history.map((event) => event.message).join('\n')).toMatch(/no evidence: .*(unreachable|ECONNREFUSED|fetch failed)/i)
    const paused = await waitFor('paused past the inconclusive limit', (report) => report.status === 'paused', 30_000)
    expect(paused.canaryWeight).toBe(5)
    expect(paused.reason).toMatch(/inconclusive/)
    const response = await fetch(`${server!.url}/status`)
    expect(((await response.json()) as RolloutStatusReport).status).toBe('paused')
    // Actions need the token.
    expect((await fetch(`${server!.url}/promote`, { method: 'POST' })).status).toBe(401)
  }, 70_000)
})
