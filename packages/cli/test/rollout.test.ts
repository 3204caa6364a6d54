// `splitlane rollout`: `run --once` ticks the controller on a YAML config and writes the weights and
// the status into it; `status` reads them back; the actions go to a running controller with its token.
import { readFile } from 'node:fs/promises'
import { createFileConfigStore, createRolloutController, serveController } from '@splitlane/prometheus'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { splitlane, splitlaneProcess } from './cli.js'
import { tempFiles } from './files.js'

const CONFIG = `version: 1
revision: r1
experiments:
  checkout:
    variants:
      - { name: stable, weight: 1000000 }
      - { name: canary, weight: 0 }
`
const PLAN = `experiment: checkout
canary: canary
baseline: stable
steps:
  - setWeight: 10
  - pause: {}
`

describe('splitlane rollout', () => {
  it('run --once writes the first step into the YAML config; status reads it back, in-process and as a real process', async () => {
    const { write } = await tempFiles()
    const config = await write('config.yaml', CONFIG)
    const plan = await write('plan.yaml', PLAN)
    // No analysis step yet, so Prometheus is not asked (nothing listens there).
    const ran = await splitlane(['rollout', 'run', '--plan', plan, '--config', config, '--prometheus', 'http://127.0.0.1:9', '--once'])
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toMatch(/checkout: paused, step 2\/2, canary at 10%, revision r1.1/)
    const doc = parse(await readFile(config, 'utf8')) as { revision: string; experiments: { checkout: { variants: { weight: number }[] } } }
    expect(doc.revision).toBe('r1.1')
    expect(doc.experiments.checkout.variants.map((variant) => variant.weight)).toEqual([900_000, 100_000])
    const status = await splitlane(['rollout', 'status', '--config', config])
    expect(status).toMatchObject({ code: 0, stderr: '' })
    expect(status.stdout).toMatch(/canary at 10%/)
    expect(await splitlaneProcess(['rollout', 'status', '--config', config])).toEqual(status)
  })

  it('promote, resume and abort need the token; with it they act on the running controller', async () => {
    const { write } = await tempFiles()
    const config = await write('config.json', JSON.stringify(parse(CONFIG)))
    const controller = createRolloutController({
      plan: parse(PLAN) as never,
      configStore: createFileConfigStore(config),
      metricsSource: { window: () => Promise.reject(new Error('unused')) },
    })
    await controller.tick()
    const server = await serveController(controller, { token: 't0ken' })
    try {
      const refused = await splitlane(['rollout', 'promote', '--server', server.url, '--token', 'wrong'])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/the controller answered 401: an action needs Authorization: Bearer/)
      const promoted = await splitlane(['rollout', 'promote', '--server', server.url, '--token', 't0ken', '--reason', 'ship it'])
      expect(promoted).toMatchObject({ code: 0, stderr: '' })
      expect(promoted.stdout).toMatch(/checkout: promoted, step 2\/2, canary at 100%[^]*ship it/)
      const status = await splitlane(['rollout', 'status', '--server', server.url, '--json'])
      expect(JSON.parse(status.stdout)).toMatchObject({ status: 'promoted', canaryWeight: 100 })
    } finally {
      await server.close()
    }
  })
})
