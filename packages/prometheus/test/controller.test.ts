// The controller's document handling, without metrics: plans of setWeight and pause steps only.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSplitter } from '@splitlane/core'
import { type RolloutPlan } from '@splitlane/core/rollout'
import { createUrlConfigSource } from '@splitlane/sources'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileConfigStore, createRolloutController, serveController, type RolloutStatusReport } from '../src/index.js'

const plan: RolloutPlan = {
  experiment: 'checkout',
  canary: 'canary',
  baseline: 'stable',
  steps: [{ setWeight: 10 }, { pause: { durationMs: 1000 } }, { setWeight: 50 }, { pause: {} }],
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
const noMetrics = {
  window: () => Promise.reject(new Error('this plan has no analysis')),
}

let dir = ''
let path = ''
let now = 0
const clock = () => now
const read = async () => JSON.parse(await readFile(path, 'utf8')) as typeof config & { rollout: RolloutStatusReport }
const canaryWeight = (doc: typeof config) => doc.experiments.checkout.variants[1]!.weight

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-controller-'))
  path = join(dir, 'config.json')
  await writeFile(path, JSON.stringify(config))
  now = 1_000_000
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const controllerFor = () => createRolloutController({ plan, configStore: createFileConfigStore(path), metricsSource: noMetrics, clock })

describe('createRolloutController', () => {
  it('writes weights with a new revision and its status into the document, and a new controller resumes from it', async () => {
    const first = controllerFor()
    await first.tick()
    let doc = await read()
    expect(canaryWeight(doc)).toBe(100_000)
    expect(doc.revision).toBe('r1.1')
    expect(doc.rollout).toMatchObject({ status: 'progressing', step: 2, canaryWeight: 10, revision: 'r1.1' })
    now += 1500
    await first.tick()
    doc = await read()
    expect(canaryWeight(doc)).toBe(500_000)
    expect(doc.revision).toBe('r1.2')
    // A second controller on the same document continues at the pause step, it does not start again.
    const second = controllerFor()
    const status = await second.tick()
    expect(status).toMatchObject({ status: 'paused', step: 4, canaryWeight: 50, revision: 'r1.2' })
    expect(status.state.history.filter((event) => event.action === 'start')).toHaveLength(1)
    await second.promote('looks good')
    doc = await read()
    expect(canaryWeight(doc)).toBe(1_000_000)
    expect(doc.rollout).toMatchObject({ status: 'promoted', reason: 'looks good' })
  })

  it('an edit made meanwhile wins: its weights stay, and the rollout pauses saying so', async () => {
    const controller = controllerFor()
    await controller.tick()
    const edited = await read()
    edited.experiments.checkout.variants[1]!.weight = 0
    edited.revision = 'hotfix'
    await writeFile(path, JSON.stringify(edited))
    now += 5000
    const status = await controller.tick()
    expect(status.status).toBe('paused')
    expect(status.reason).toMatch(/edited outside the controller \(now revision hotfix\); the edit wins/)
    const doc = await read()
    expect(canaryWeight(doc)).toBe(0)
    expect(doc.revision).toBe('hotfix')
    expect(doc.rollout.status).toBe('paused')
  })

  it('an invalid edit never replaces the good document: the controller holds and says why', async () => {
    const controller = controllerFor()
    await controller.tick()
    const served = controller.document()
    await writeFile(path, '{ "version": 2 }')
    now += 5000
    const status = await controller.tick()
    expect(status.decision.explanation.join('\n')).toMatch(/holding: the config document .* cannot be used/)
    expect(controller.document()).toBe(served)
    expect(await readFile(path, 'utf8')).toBe('{ "version": 2 }')
  })
})

describe('serveController', () => {
  it('serves the document with an ETag that createUrlConfigSource polls, status to anyone, actions with the bearer token only', async () => {
    const controller = controllerFor()
    await controller.tick()
    const server = await serveController(controller, { token: 's3cret' })
    try {
      const first = await fetch(`${server.url}/config`)
      const etag = first.headers.get('etag')!
      expect(first.status).toBe(200)
      expect((await fetch(`${server.url}/config`, { headers: { 'if-none-match': etag } })).status).toBe(304)
      const splitter = createSplitter({ config: { version: 1, experiments: { checkout: { variants: [{ name: 'stable' }] } } } })
      const source = createUrlConfigSource({ url: `${server.url}/config`, splitter, poll: false })
      await source.refresh()
      expect(splitter.config.revision).toBe('r1.1')
      source.close()
      expect(((await (await fetch(`${server.url}/status`)).json()) as RolloutStatusReport).canaryWeight).toBe(10)
      expect((await fetch(`${server.url}/abort`, { method: 'POST' })).status).toBe(401)
      expect((await fetch(`${server.url}/abort`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401)
      const aborted = await fetch(`${server.url}/abort?reason=bad%20canary`, {
        method: 'POST',
        headers: { authorization: 'Bearer s3cret' },
      })
      expect(((await aborted.json()) as RolloutStatusReport).reason).toBe('bad canary')
      expect(canaryWeight(await read())).toBe(0)
      const changed = await fetch(`${server.url}/config`, { headers: { 'if-none-match': etag } })
      expect(changed.status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('without a token the actions are disabled', async () => {
    const controller = controllerFor()
    await controller.tick()
    const server = await serveController(controller)
    try {
      expect((await fetch(`${server.url}/promote`, { method: 'POST', headers: { authorization: 'Bearer x' } })).status).toBe(403)
    } finally {
      await server.close()
    }
  })
})
