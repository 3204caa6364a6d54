// The fleet view in a real browser: an Express instance polling the controller's document and exporting
// per-variant metrics, scraped every second by a real Prometheus; the controller ramps a canary with an
// analysis on those series and serves the dashboard, which headless chromium (puppeteer-core) opens.
// `SPLITLANE_SCREENSHOTS=1` also writes docs/images/dashboard-fleet-*.png.
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createSplitter, type Splitter } from '@splitlane/core'
import { type RolloutPlan } from '@splitlane/core/rollout'
import { createOtelInstrumentation } from '@splitlane/core/otel'
import { splitlane } from '@splitlane/express'
import { createUrlConfigSource, type UrlConfigSource } from '@splitlane/sources'
import { startPrometheus, type PrometheusHandle } from '@splitlane/test-utils/prometheus'
import express from 'express'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createFileConfigStore,
  createFleetDashboardData,
  createPrometheusClient,
  createPrometheusSource,
  createRolloutController,
  fleetDashboardQueries,
  serveController,
  type ControllerServer,
  type RolloutController,
} from '../src/index.js'

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const present = existsSync(CHROMIUM)
if (!present)
  console.warn(`[fleet dashboard browser test] SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`)
const TOKEN = 'fleet-token'
const STEP_MS = 2000

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'v2',
  baseline: 'v1',
  steps: [
    { setWeight: 20 },
    // same handler for both variants: latency differs by noise alone, so allow up to twice the baseline's p99
    { analysis: { intervalMs: 6000, minRequests: 20, judge: { series: { 'latency-p99': { allowedIncrease: 2 } } } } },
    { setWeight: 50 },
    { pause: {} },
  ],
}
const config = {
  version: 1 as const,
  revision: 'f1',
  experiments: {
    checkout: { variants: [{ name: 'v1' }, { name: 'v2', weight: 0 }] },
    assistant: { variants: [{ name: 'small' }, { name: 'large' }] },
  },
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let dir = ''
let instance: Server
let source: UrlConfigSource
let meterProvider: MeterProvider
let prometheus: PrometheusHandle
let controller: RolloutController
let server: ControllerServer
let browser: Browser
let page: Page
let instanceTarget = ''
let instanceSplitter: Splitter
let loading = true
let load: Promise<void> = Promise.resolve()
const consoleErrors: string[] = []

describe.skipIf(!present)('the fleet dashboard in headless chromium, on a real Prometheus', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'splitlane-fleet-dashboard-'))
    await writeFile(join(dir, 'config.json'), JSON.stringify(config))
    const exporter = new PrometheusExporter({ preventServerStart: true })
    meterProvider = new MeterProvider({ readers: [exporter] })
    // LLM figures as splitlane's instruments name them (an LLM split through createSplitFetch records them),
    // recorded here by hand so that the test needs no LLM upstream
    const meter = meterProvider.getMeter('fleet-dashboard-test')
    const ttfb = meter.createHistogram('splitlane.request.time_to_first_byte', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1] },
    })
    const tokens = meter.createCounter('splitlane.llm.tokens')
    const cost = meter.createCounter('splitlane.llm.cost')
    const splitter = createSplitter({ config })
    instanceSplitter = splitter
    const otel = createOtelInstrumentation({ meterProvider })
    const split = (experiment: string) =>
      splitlane({
        splitter,
        otel,
        experiments: [experiment],
        cookie: false,
        getKey: (req) => (typeof req.query['u'] === 'string' ? req.query['u'] : undefined),
      })
    const app = express()
    app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res))
    app.get('/checkout', split('checkout'), (_req, res) => {
      res.send('ok')
    })
    app.get('/ask', split('assistant'), (req, res) => {
      const variant = req.splitlane?.assistant?.variant ?? 'small'
      // The labels splitlane's own instruments give (revision included), so these series restart with the
      // request counts at each config revision and tokens per request stay put across a change.
      const labels = {
        'feature_flag.key': 'assistant',
        'feature_flag.result.variant': variant,
        'feature_flag.version': String(req.splitlane?.assistant?.revision),
      }
      ttfb.record(variant === 'large' ? 0.3 : 0.12, labels)
      tokens.add(200, { ...labels, 'gen_ai.token.type': 'input' })
      tokens.add(variant === 'large' ? 400 : 250, { ...labels, 'gen_ai.token.type': 'output' })
      cost.add(variant === 'large' ? 0.006 : 0.0009, labels)
      res.send('ok')
    })
    instance = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => instance.once('listening', resolve))
    const target = `127.0.0.1:${(instance.address() as AddressInfo).port}`
    instanceTarget = target
    prometheus = await startPrometheus({ targets: [target] })
    controller = createRolloutController({
      plan,
      configStore: createFileConfigStore(join(dir, 'config.json')),
      metricsSource: createPrometheusSource({ url: prometheus.url, timeoutMs: 2000, retries: 1 }),
      stepMs: STEP_MS,
      settleMs: 2500,
    })
    await controller.tick()
    server = await serveController(controller, {
      token: TOKEN,
      dashboard: {
        prometheus: { url: prometheus.url },
        stepMs: STEP_MS,
        windowMs: 4000,
        rangeMs: 60_000,
        refreshMs: 500,
        minReadIntervalMs: 400,
      },
    })
    source = createUrlConfigSource({ url: `${server.url}/config`, splitter, intervalMs: 500 })
    await source.ready
    controller.start(250)
    // about 100 requests a second, half to each experiment, until the end
    load = (async () => {
      let key = 0
      while (loading) {
        await Promise.all(
          Array.from({ length: 10 }, () => {
            key++
            return fetch(`http://${target}/${key % 2 ? 'checkout' : 'ask'}?u=user-${key}`).then(
              (response) => response.arrayBuffer(),
              () => undefined,
            )
          }),
        )
        await sleep(100)
      }
    })()
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
    page = await browser.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
    await page.setViewport({ width: 1280, height: 900 })
    await page.goto(`${server.url}/splitlane`, { waitUntil: 'load' })
  }, 60_000)

  afterAll(async () => {
    loading = false
    await load
    await browser?.close()
    await controller?.stop()
    source?.close()
    await server?.close()
    await prometheus?.close()
    await meterProvider?.shutdown()
    if (instance) await new Promise((resolve) => instance.close(resolve))
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('shows the plan with the current step, the weight over time and the analysis verdict as the controller ramps', async () => {
    await page.waitForFunction(() => document.querySelector('[data-status]')?.textContent === 'paused', { timeout: 30_000 })
    await page.waitForSelector('#rollout-weight canvas')
    // the weight chart has a point per step: the last change shows at the next one
    await page.waitForFunction(
      () => {
        const weights = [...document.querySelectorAll('#rollout-weight td[data-value]')].map((cell) => cell.getAttribute('data-value'))
        return weights.includes('20') && weights.includes('50')
      },
      { timeout: 10_000 },
    )
    const view = await page.$eval('#rollout-view', (element) => ({
      current: element.querySelector('[aria-current="step"]')!.textContent,
      run: element.querySelector('tr[data-run]')!.textContent,
      decision: element.querySelector('[data-decision]')!.textContent,
      weights: [...element.querySelectorAll('#rollout-weight td[data-value]')].map((cell) => cell.getAttribute('data-value')),
    }))
    expect(view.current).toContain('Pause until resumed')
    expect(view.run).toMatch(/Pass/)
    expect(view.run).toMatch(/latency-p99/)
    expect(view.decision.length).toBeGreaterThan(10)
    expect(view.weights).toEqual(expect.arrayContaining(['20', '50']))
    expect(controller.status()!.analyses[0]!.verdict).toBe('Pass')
  })

  it('names the config revision each instance served, from the revision label Prometheus scraped', async () => {
    // The rollout is paused (the test above): the instance's revision holds while the page catches up with the scrapes.
    const expected = `${String(instanceSplitter.revision)} by ${instanceTarget}`
    await page.waitForFunction(
      (text) => document.querySelector('[data-served]')?.textContent?.includes(text),
      { timeout: 15_000 },
      expected,
    )
    expect(await page.$eval('[data-served]', (element) => element.textContent)).toMatch(/^ · served: /)
  })

  it('draws per-variant series read from Prometheus, with LLM panels only where Prometheus has their data', async () => {
    await page.waitForSelector('figure[data-chart="rate"][data-experiment="checkout"] canvas')
    await page.waitForSelector('figure[data-chart="cost"][data-experiment="assistant"] canvas')
    const charts = await page.$$eval('figure[data-chart][data-experiment]', (figures) =>
      figures.map((f) => `${f.getAttribute('data-experiment')}/${f.getAttribute('data-chart')}`),
    )
    expect(charts).toEqual(
      expect.arrayContaining([
        'checkout/rate',
        'checkout/errorRatio',
        'checkout/latency',
        'assistant/ttfb',
        'assistant/tokens',
        'assistant/cost',
      ]),
    )
    expect(charts).not.toContain('checkout/tokens')
    const tokensPerRequest = await page.$$eval('figure[data-chart="tokens"] td[data-value]:not([data-value=""])', (cells) =>
      cells.map((cell) => [cell.getAttribute('data-series'), Number(cell.getAttribute('data-value'))] as const),
    )
    expect(tokensPerRequest.length).toBeGreaterThan(0)
    // per request, so constant per model: tokens and requests carry the revision alike, so a revision change
    // restarts both series together (Prometheus's rate() counts each from its second sample). The median holds.
    for (const variant of ['small', 'large']) {
      const values = tokensPerRequest.filter(([series]) => series === variant).map(([, value]) => value)
      expect(values.length).toBeGreaterThan(2)
      const median = values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
      expect(Math.abs(median / (variant === 'large' ? 600 : 450) - 1)).toBeLessThan(0.05)
    }
    // the page's request counts per interval are Prometheus's: the same range query, point by point, once
    // there are points old enough that later scrapes no longer change them
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('figure[data-chart="rate"][data-experiment="checkout"] td[data-requests="v2"]')].filter(
          (cell) => cell.textContent !== '0',
        ).length >= 7,
      { timeout: 20_000 },
    )
    const drawn = await page.$$eval('figure[data-chart="rate"][data-experiment="checkout"] tbody tr', (rows) =>
      rows.flatMap((row) =>
        [...row.querySelectorAll<HTMLElement>('td[data-requests]')].map(
          (cell) => [Number(row.dataset['t']), cell.dataset['requests']!, Number(cell.textContent)] as const,
        ),
      ),
    )
    const shown = new Map(drawn.map(([t, variant, count]) => [`${variant}@${t}`, count]))
    expect(new Set(drawn.map(([, variant]) => variant))).toEqual(new Set(['v1', 'v2']))
    expect(drawn.filter(([, variant, count]) => variant === 'v2' && count > 0).length).toBeGreaterThanOrEqual(3)
    // settled points, at least 4 s old: later scrapes no longer change them
    const end = Math.max(...drawn.map(([t]) => t))
    const direct = await createPrometheusClient({ url: prometheus.url }).queryRange(
      fleetDashboardQueries('checkout', { windowMs: 4000 }).requests,
      { start: end - 30_000, end: end - 4000, stepMs: STEP_MS },
    )
    let compared = 0
    for (const { labels, points } of direct)
      for (const point of points) {
        expect(shown.get(`${labels['feature_flag_result_variant']}@${point.t}`)).toBe(Math.round((point.value * STEP_MS) / 1000))
        compared++
      }
    expect(compared).toBeGreaterThanOrEqual(4)
    // one reading of its own (the page's polls share theirs): two experiments, 8 range queries each
    const data = createFleetDashboardData({
      prometheus: { url: prometheus.url },
      experiments: () => ['checkout', 'assistant'],
      stepMs: STEP_MS,
      windowMs: 4000,
      rangeMs: 60_000,
    })
    const asked = performance.now()
    const reading = await data.read()
    const readMs = performance.now() - asked
    expect(reading.problems).toEqual([])
    console.log(`fleet dashboard: one reading (16 range queries over 60 s at 2 s steps) took ${readMs.toFixed(0)} ms`)

    // the experiments table's latency quantiles are Prometheus's over the span its counts cover, on the page too
    const at = Math.floor((Date.now() - 5000) / STEP_MS) * STEP_MS
    const settled = await createFleetDashboardData({
      prometheus: { url: prometheus.url },
      experiments: () => ['checkout'],
      stepMs: STEP_MS,
      windowMs: 4000,
      rangeMs: 60_000,
      clock: () => at,
    }).read()
    const p95 = await createPrometheusClient({ url: prometheus.url }).query(
      fleetDashboardQueries('checkout', { windowMs: at - settled.since! }).p95,
      at,
    )
    expect(p95.map(({ labels }) => labels['feature_flag_result_variant']).sort()).toEqual(['v1', 'v2'])
    for (const { labels, points } of p95) {
      expect(points[0]!.value).toBeGreaterThan(0)
      expect(settled.totals['checkout']![labels['feature_flag_result_variant']!]!.p95).toBe(points[0]!.value * 1000)
    }
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('article[data-experiment="checkout"] tr[data-variant] td:nth-of-type(6)')].filter((cell) =>
          /^\d+\.\d$/.test(cell.textContent ?? ''),
        ).length === 2,
      { timeout: 10_000 },
    )
  })

  it('refuses an action without the token, applies it with the token, and records it in the rollout’s history', async () => {
    await page.click('button[data-act="resume"]')
    await page.waitForFunction(() => document.getElementById('action-result')!.textContent.includes('Refused (401)'))
    expect(controller.status()!.status).toBe('paused')
    await page.type('#token', TOKEN)
    await page.click('button[data-act="resume"]')
    await page.waitForFunction(() => document.querySelector('[data-status]')?.textContent === 'promoted', { timeout: 15_000 })
    expect(controller.status()!.state.history.some((event) => event.action === 'resume')).toBe(true)
    await page.waitForFunction(() => document.getElementById('history')!.textContent.includes('resume checkout'))
    if (process.env['SPLITLANE_SCREENSHOTS']) {
      const images = new URL('../../../docs/images/', import.meta.url)
      for (const view of ['rollout', 'health'])
        await (await page.$(`#${view}`))!.screenshot({ path: new URL(`dashboard-fleet-${view}.png`, images).pathname })
    }
  })

  it('passes axe-core with every data table open', async () => {
    await page.$$eval('details', (all) => all.forEach((details) => (details.open = true)))
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'))
    const violations = await page.evaluate(async () => {
      const result = await (
        window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }
      ).axe.run()
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    })
    expect(violations).toEqual([])
  })

  it('says so on the page when Prometheus goes down, and keeps serving', async () => {
    await prometheus.close()
    await page.waitForFunction(() => document.getElementById('problems')!.textContent.includes('Prometheus'), { timeout: 10_000 })
    expect(await page.$eval('#problems', (element) => element.textContent)).toMatch(/could not answer/)
    expect(await page.$eval('[data-status]', (element) => element.textContent)).toBe('promoted')
    // the one expected error: chromium logs the refused action's 401 response
    expect(consoleErrors.filter((text) => !text.includes('status of 401'))).toEqual([])
  })
})
