// `splitlane rollout`: `run --once` ticks the controller on a YAML config and writes the weights and
// the status into it; `status` reads them back; the actions go to a running controller with its token.
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createFileConfigStore, createRolloutController, serveController } from '@splitlane/prometheus'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { splitlane, splitlaneProcess, startSplitlaneProcess } from './cli.js'
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

  it('a controller process killed with SIGKILL mid-ramp, then started again, resumes at the same step and weight', async () => {
    const { write } = await tempFiles()
    const config = await write('config.yaml', CONFIG)
    // No analysis step, so Prometheus is not asked (nothing listens there). The 6 s pause spans the kill, a second
    // with no controller, and the restart.
    const ramp = `experiment: checkout
canary: canary
baseline: stable
steps:
  - setWeight: 10
  - pause: { durationMs: 300 }
  - setWeight: 20
  - pause: { durationMs: 6000 }
  - setWeight: 50
  - pause: {}
`
    const plan = await write('ramp.yaml', ramp)
    const args = ['rollout', 'run', '--plan', plan, '--config', config, '--prometheus', 'http://127.0.0.1:9', '--interval', '100ms']
    interface OnDisk {
      revision: string
      rollout?: {
        step: number
        canaryWeight: number
        status: string
        state: { history: { at: number; action: string; message: string }[] }
      }
    }
    const onDisk = async () => parse(await readFile(config, 'utf8')) as OnDisk
    const waitFor = async (what: string, check: (doc: OnDisk) => boolean, output: () => string, timeoutMs = 20_000) => {
      for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const doc = await onDisk().catch(() => undefined) // a rename is atomic, but be patient with a slow disk
        if (doc !== undefined && check(doc)) return doc
      }
      throw new Error(`waited ${timeoutMs} ms for ${what}; controller output: ${output()}`)
    }

    const waitForOutput = async (output: () => string, pattern: RegExp, timeoutMs = 20_000) => {
      for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const match = pattern.exec(output())
        if (match !== null) return match
      }
      throw new Error(`waited ${timeoutMs} ms for ${pattern}; controller output: ${output()}`)
    }

    const first = startSplitlaneProcess(args)
    let second: ReturnType<typeof startSplitlaneProcess> | undefined
    try {
      const before = await waitFor('canary at 20%', (doc) => doc.rollout?.canaryWeight === 20, first.output)
      first.child.kill('SIGKILL') // no goodbye: whatever the process had not written is lost
      await once(first.child, 'exit')
      expect(first.child.signalCode).toBe('SIGKILL')
      const killed = await onDisk()
      expect(killed.rollout).toMatchObject({ step: before.rollout!.step, canaryWeight: 20 })

      await new Promise((resolve) => setTimeout(resolve, 1000)) // down for a second
      const restartedAt = Date.now()
      second = startSplitlaneProcess([...args, '--serve', '127.0.0.1:0'])
      // It serves once its first tick is done: that tick read the file and went on from it.
      const serving = await waitForOutput(second.output, /serving (http:\S+)\/config/)
      const status = (await (await fetch(`${serving[1]}/status`)).json()) as { step: number; canaryWeight: number; revision: string }
      expect({ step: status.step, weight: status.canaryWeight, revision: status.revision }).toEqual({
        step: killed.rollout!.step,
        weight: 20,
        revision: killed.revision,
      })
      const after = await onDisk()
      expect(after.rollout!.state.history.filter((event) => event.action === 'start')).toHaveLength(1) // not started again
      // and it goes on from there, to the next step of the same ramp
      const done = await waitFor('canary at 50%', (doc) => doc.rollout?.canaryWeight === 50, second.output)
      const weights = done.rollout!.state.history.filter((event) => event.action === 'set-weight').map((event) => event.message)
      expect(weights).toEqual([
        expect.stringMatching(/0% -> 10%/),
        expect.stringMatching(/10% -> 20%/),
        expect.stringMatching(/20% -> 50%/),
      ])
      expect(done.rollout!.state.history.filter((event) => event.action === 'start')).toHaveLength(1)
      // the pause went on from where it was, not from the restart: 6 s after the weight reached 20%
      const at = (pattern: RegExp) => done.rollout!.state.history.find((event) => pattern.test(event.message))!.at
      expect(at(/20% -> 50%/) - at(/10% -> 20%/)).toBeGreaterThanOrEqual(6000)
      expect(at(/20% -> 50%/) - restartedAt).toBeLessThan(6000)
    } finally {
      for (const { child } of [first, ...(second ? [second] : [])])
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM')
          await once(child, 'exit')
        }
    }
  }, 60_000)
})
