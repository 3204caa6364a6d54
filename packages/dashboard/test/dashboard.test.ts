import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import express from 'express'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDashboard } from '../src/index.js'
import { toNodeHandler } from '../src/node.js'

// A real Express app with the dashboard mounted at /splitlane, real requests over 127.0.0.1.
const splitter = createSplitter({
  config: { version: 1, revision: 'r1', experiments: { checkout: { variants: [{ name: 'v1' }, { name: 'v2' }] } } },
})
const recorder = createMetricsRecorder()
const dashboard = createDashboard({ splitter, recorder, token: 'secret' })
let base = ''
let close = () => {}

beforeAll(async () => {
  const app = express()
  app.use(toNodeHandler(dashboard))
  app.get('/work', (req, res) => {
    const assignment = splitter.assign('checkout', { key: typeof req.query['user'] === 'string' ? req.query['user'] : '' })
    dashboard.recorder.record(assignment, { status: 200, latencyMs: 10 })
    res.send(assignment.variant)
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => server.close()
})
afterAll(() => close())

describe('dashboard mounted in Express', () => {
  it('serves the page and a state whose counts match the recorder, with ETag revalidation', async () => {
    for (let i = 0; i < 50; i++) await fetch(`${base}/work?user=u${i}`)
    const page = await fetch(`${base}/splitlane`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>splitlane dashboard</title>')
    const response = await fetch(`${base}/splitlane/api/state`)
    const state = (await response.json()) as { revision: string; experiments: { variants: { name: string; requests: number }[] }[] }
    const stats = recorder.snapshot().experiments['checkout']!
    expect(state.revision).toBe('r1')
    for (const variant of state.experiments[0]!.variants) expect(variant.requests).toBe(stats[variant.name]?.requests ?? 0)
    const again = await fetch(`${base}/splitlane/api/state`, { headers: { 'if-none-match': response.headers.get('etag')! } })
    expect(again.status).toBe(304)
  })

  it('refuses actions without the token (401) and applies them with it, recording each in the history', async () => {
    const refused = await fetch(`${base}/splitlane/api/actions/kill`, { method: 'POST', body: JSON.stringify({ experiment: 'checkout' }) })
    expect(refused.status).toBe(401)
    expect(splitter.config.experiments['checkout']!.enabled).toBe(true)
    const applied = await fetch(`${base}/splitlane/api/actions/kill`, {
      method: 'POST',
      headers: { authorization: 'Bearer secret' },
      body: JSON.stringify({ experiment: 'checkout' }),
    })
    expect(applied.status).toBe(200)
    expect(splitter.config.experiments['checkout']!.enabled).toBe(false)
    expect(dashboard.history.map((entry) => entry.action)).toEqual(['kill'])
  })

  it('refuses actions with 403 when no token or authorize hook is configured', async () => {
    const readOnly = createDashboard({ splitter })
    const response = await readOnly.handle(new Request('http://x/splitlane/api/actions/abort', { method: 'POST', body: '{}' }))
    expect(response.status).toBe(403)
  })

  it('explains one key in every experiment and decodes a variant header', async () => {
    const explained = await fetch(`${base}/splitlane/api/explain`, { method: 'POST', body: JSON.stringify({ key: 'user-42' }) })
    const rows = (await explained.json()) as { experiment: string; explanation: string }[]
    expect(rows.map((row) => row.experiment)).toEqual(['checkout'])
    expect(rows[0]!.explanation.length).toBeGreaterThan(0)
    const decoded = await fetch(`${base}/splitlane/api/decode`, { method: 'POST', body: JSON.stringify({ header: 'checkout=v2' }) })
    expect(await decoded.json()).toEqual({ checkout: 'v2' })
  })
})

describe('observed shares', () => {
  it('count from the last weight change, even when no page polled in between', async () => {
    const split = createSplitter({ config: { version: 1, experiments: { e: { variants: [{ name: 'a' }, { name: 'b', weight: 0 }] } } } })
    const board = createDashboard({ splitter: split })
    for (let i = 0; i < 40; i++) board.recorder.record(split.assign('e', { key: `k${i}` }), { status: 200 })
    split.update({ version: 1, experiments: { e: { variants: [{ name: 'a' }, { name: 'b' }] } } })
    for (let i = 0; i < 60; i++) board.recorder.record(split.assign('e', { key: `k${i}` }), { status: 200 })
    const state = (await (await board.handle(new Request('http://x/splitlane/api/state'))).json()) as {
      experiments: { variants: { requests: number }[] }[]
    }
    expect(state.experiments[0]!.variants.reduce((sum, variant) => sum + variant.requests, 0)).toBe(60)
  })
})

describe('a recorder written to directly', () => {
  it('still fills the experiments table', async () => {
    const split = createSplitter({ config: { version: 1, experiments: { e: { variants: [{ name: 'a' }, { name: 'b' }] } } } })
    const direct = createMetricsRecorder()
    const board = createDashboard({ splitter: split, recorder: direct })
    for (let i = 0; i < 30; i++) direct.record(split.assign('e', { key: `k${i}` }), { status: 200 })
    const state = (await (await board.handle(new Request('http://x/splitlane/api/state'))).json()) as {
      experiments: { variants: { requests: number }[] }[]
    }
    expect(state.experiments[0]!.variants.reduce((sum, variant) => sum + variant.requests, 0)).toBe(30)
  })
})
