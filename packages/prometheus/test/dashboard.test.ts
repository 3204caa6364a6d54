// The dashboard's fleet data: the queries it sends, the controller's status it shows, its actions behind the
// controller's token, and a Prometheus that is down shown on the page instead of a crash. Real HTTP throughout;
// the series against a real Prometheus are in dashboard.browser.test.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FleetWindow } from '@splitlane/core/analysis'
import type { RolloutPlan } from '@splitlane/core/rollout'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  controllerStatusClient,
  createFileConfigStore,
  createFleetDashboardData,
  createRolloutController,
  fleetDashboardQueries,
  serveController,
  type ControllerServer,
  type RolloutController,
} from '../src/index.js'
import { weightAt } from '../src/dashboard.js'

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'canary',
  baseline: 'stable',
  steps: [{ setWeight: 10 }, { analysis: { intervalMs: 1000, minRequests: 10 } }, { setWeight: 50 }, { pause: {} }],
}
const config = {
  version: 1,
  revision: 'r1',
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 1_000_000 },
        { name: 'canary', weight: 0 },
      ],
    },
  },
}

/** A fleet window as Prometheus would give it: both variants healthy, so the judge passes. */
const healthy = {
  window(request: { start: number; end: number; stepMs?: number }): Promise<FleetWindow> {
    const points = Array.from({ length: 20 }, (_, i) => ({ t: request.start + i * 1000, value: 0.05 + (i % 5) * 0.001 }))
    const variant = { requests: 500, errors: 1, series: { 'latency-p99': points } }
    return Promise.resolve({
      experiment: 'checkout',
      start: request.start,
      end: request.end,
      stepMs: 1000,
      variants: { stable: variant, canary: variant },
    })
  },
}

/** A port with nothing listening: a Prometheus that is down. */
async function deadUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

let dir = ''
let now = 0
let controller: RolloutController
let server: ControllerServer

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-dashboard-fleet-'))
  await writeFile(join(dir, 'config.json'), JSON.stringify(config))
  now = 1_000_000
  controller = createRolloutController({
    plan,
    configStore: createFileConfigStore(join(dir, 'config.json')),
    metricsSource: healthy,
    clock: () => now,
    stepMs: 1000,
    settleMs: 0,
  })
  await controller.tick()
  server = await serveController(controller, {
    token: 'secret',
    dashboard: { prometheus: { url: await deadUrl() }, stepMs: 1000, rangeMs: 60_000 },
  })
})
afterEach(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

const state = async () =>
  (await (await fetch(`${server.url}/splitlane/api/state`)).json()) as {
    mode: string
    revision: string
    problems: string[]
    experiments: { name: string; variants: { name: string; weight: number }[] }[]
    series: { t: number[]; experiments: Record<string, unknown>; canaryWeight: (number | null)[] }
    rollout: {
      step: number
      status: string
      steps: unknown[]
      canaryWeight: number
      runs: { verdict: string; metrics: { name: string }[] }[]
    }
    history: { action: string; result: string }[]
  }

describe('the fleet dashboard served by the controller', () => {
  it('builds its range queries from the metric names, grouped by variant, with the selector and an escaped experiment', () => {
    const queries = fleetDashboardQueries('check"out', { windowMs: 30_000, selector: 'job="shop"' })
    expect(queries.requests).toBe(
      'sum by (feature_flag_result_variant) (rate(splitlane_requests_total{feature_flag_key="check\\"out",job="shop"}[30s]))',
    )
    expect(queries.errors).toContain('error_type!=""')
    expect(queries.p95).toBe(
      'histogram_quantile(0.95, sum by (le, feature_flag_result_variant) (rate(splitlane_request_duration_bucket{feature_flag_key="check\\"out",job="shop"}[30s])))',
    )
    expect(queries.ttfb).toContain('splitlane_request_time_to_first_byte_bucket')
    expect(queries.tokens).toBe(
      'sum by (feature_flag_result_variant) (rate(splitlane_llm_tokens_total{feature_flag_key="check\\"out",job="shop"}[30s]))',
    )
    expect(queries.cost).toContain('splitlane_llm_cost_total{')
    const renamed = fleetDashboardQueries('checkout', {
      names: { requests: 'reqs_total', duration: 'dur_seconds', variantLabel: 'variant', ttfb: 'ttfb_seconds', cost: 'usd_total' },
    })
    expect(renamed.requests).toBe('sum by (variant) (rate(reqs_total{feature_flag_key="checkout"}[60s]))')
    expect(renamed.p50).toContain('sum by (le, variant) (rate(dur_seconds_bucket{')
    expect(renamed.ttfb).toContain('ttfb_seconds_bucket')
    expect(renamed.cost).toContain('usd_total{')
  })

  it('shows the plan, the current step and weight, and Prometheus being down as a problem on the page (no crash)', async () => {
    const page = await fetch(`${server.url}/splitlane`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('id="problems" role="alert"')
    const body = await state()
    expect(body.mode).toBe('fleet')
    expect(body.revision).toBe('r1.1')
    expect(body.experiments[0]!.variants.map((v) => v.weight)).toEqual([0.9, 0.1])
    expect(body.rollout).toMatchObject({ status: 'progressing', step: 1, canaryWeight: 10 })
    expect(body.rollout.steps).toEqual(plan.steps)
    expect(body.problems.join('\n')).toMatch(/^Prometheus: prometheus at http:\/\/127\.0\.0\.1:\d+\/ could not answer/)
    expect(body.series.experiments).toEqual({})
    expect(body.series.canaryWeight.at(-1)).toBe(10)
  })

  it('records each analysis run with its verdict, score and sentence per metric in the status and shows it', async () => {
    now += 1500
    await controller.tick()
    const body = await state()
    expect(body.rollout.runs).toHaveLength(1)
    expect(body.rollout.runs[0]!.verdict).toBe('Pass')
    expect(body.rollout.runs[0]!.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['latency-p99']))
    const status = (await (await fetch(`${server.url}/status`)).json()) as { analyses: unknown[]; plan: RolloutPlan }
    expect(status.analyses).toHaveLength(1)
    expect(status.plan).toEqual(plan)
  })

  it('takes actions only with the controller’s bearer token and records them in the rollout’s history', async () => {
    const promote = (token?: string) =>
      fetch(`${server.url}/splitlane/api/actions/promote`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: '{}',
      })
    expect((await promote()).status).toBe(401)
    expect((await promote('wrong')).status).toBe(401)
    expect(controller.status()!.status).toBe('progressing')
    const applied = await promote('secret')
    expect(applied.status).toBe(200)
    expect(controller.status()!.status).toBe('promoted')
    expect(controller.status()!.state.history.at(-1)!.message).toMatch(/promoted by the dashboard/)
    // the kill switch of a fleet is the config document: refused with the reason, nothing changed
    const kill = await fetch(`${server.url}/splitlane/api/actions/kill`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret' },
      body: JSON.stringify({ experiment: 'checkout' }),
    })
    expect(((await kill.json()) as { result: string }).result).toMatch(/config document/)
    const body = await state()
    expect(body.history.map((entry) => entry.action)).toEqual(['promote', 'kill'])
    expect(body.rollout.status).toBe('promoted')
  })

  it('reads a controller over HTTP, and names an unreachable one as a problem', async () => {
    const reader = controllerStatusClient({ url: server.url, token: 'secret' })
    const data = createFleetDashboardData({ experiments: () => ['checkout'], rollout: reader, minReadIntervalMs: 0 })
    const reading = await data.read()
    expect(reading.rollout).toMatchObject({ experiment: 'checkout', step: 1, canaryWeight: 10 })
    expect(reading.problems).toEqual([])
    expect(await data.act('abort', 'aborted by a test')).toMatch(/aborted by a test/)
    expect(controller.status()!.status).toBe('rolled-back')
    const gone = createFleetDashboardData({ experiments: () => [], rollout: controllerStatusClient({ url: await deadUrl() }) })
    const missing = await gone.read()
    expect(missing.rollout).toBeNull()
    expect(missing.problems[0]).toMatch(/^rollout controller: /)
  })

  it('draws the weight over time from the rollout’s own set-weight events', () => {
    const history = controller.status()!.state.history
    const changed = history.find((event) => event.action === 'set-weight')!
    expect(weightAt(history, changed.at - 1)).toBe(0)
    expect(weightAt(history, changed.at)).toBe(10)
  })

  it('survives a client that resets mid-body, and keeps serving', async () => {
    const { port } = new URL(server.url)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write('POST /splitlane/api/actions/promote HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"exp')
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.resetAndDestroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await fetch(`${server.url}/splitlane/api/state`)).status).toBe(200)
  })
})
