import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFileConfigStore, createRolloutController, serveController } from '@splitlane/prometheus'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../src/program.js'

const config = { version: 1, revision: 'cli-1', experiments: { checkout: { variants: [{ name: 'v1' }, { name: 'v2' }] } } }
const dir = mkdtempSync(join(tmpdir(), 'splitlane-dashboard-'))
const closers: (() => void)[] = []
afterAll(() => closers.forEach((close) => close()))

/** Starts `splitlane dashboard ...` in this process; resolves with the URL it prints and a stop function. */
async function start(args: string[]) {
  const stop = new AbortController()
  let out = ''
  let err = ''
  const exit = run(['dashboard', ...args, '--port', '0'], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTTY: false,
    signal: stop.signal,
  })
  closers.push(() => stop.abort())
  for (let i = 0; i < 100 && !out.includes('http://') && !err; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return { url: /http:\/\/\S+/.exec(out)?.[0], err, stop: () => (stop.abort(), exit) }
}

describe('splitlane dashboard', () => {
  it('serves the dashboard for a config file until stopped', async () => {
    const file = join(dir, 'splitlane.json')
    writeFileSync(file, JSON.stringify(config))
    const { url, stop } = await start(['--config', file])
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/splitlane$/)
    const state = (await (await fetch(`${url}/api/state`)).json()) as { revision: string; actionsEnabled: boolean }
    expect(state).toMatchObject({ revision: 'cli-1', actionsEnabled: false })
    expect(await stop()).toBe(0)
  })

  it('loads a config URL (polled with ETags) and refuses an unreachable one with a clear message', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => server.close())
    const { url, stop } = await start([
      '--config',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/config.json`,
      '--token',
      't',
    ])
    const state = (await (await fetch(`${url}/api/state`)).json()) as { revision: string; actionsEnabled: boolean }
    expect(state).toMatchObject({ revision: 'cli-1', actionsEnabled: true })
    expect(await stop()).toBe(0)
    let err = ''
    const code = await run(['dashboard', '--config', 'http://127.0.0.1:1/none.json'], {
      out: () => {},
      err: (t) => void (err += t),
      isTTY: false,
    })
    expect(code).toBe(2)
    expect(err).toContain('could not load http://127.0.0.1:1/none.json')
  })

  it('--controller shows a running rollout and forwards actions with --controller-token; --prometheus down is shown, not fatal', async () => {
    const file = join(dir, 'fleet.json')
    writeFileSync(
      file,
      JSON.stringify({
        ...config,
        experiments: {
          checkout: {
            variants: [
              { name: 'v1', weight: 100 },
              { name: 'v2', weight: 0 },
            ],
          },
        },
      }),
    )
    const controller = createRolloutController({
      plan: { experiment: 'checkout', canary: 'v2', baseline: 'v1', steps: [{ setWeight: 10 }, { pause: {} }] },
      configStore: createFileConfigStore(file),
      metricsSource: { window: () => Promise.reject(new Error('no analysis in this plan')) },
    })
    await controller.tick()
    const server = await serveController(controller, { token: 'rollout-token' })
    closers.push(() => void server.close())
    // a port nobody listens on: Prometheus is down
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const prometheus = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`
    await new Promise((resolve) => dead.close(resolve))
    const { url, stop } = await start([
      '--config',
      `${server.url}/config`,
      '--controller',
      server.url,
      '--prometheus',
      prometheus,
      '--token',
      'page-token',
      '--controller-token',
      'rollout-token',
    ])
    const state = (await (await fetch(`${url}/api/state`)).json()) as {
      mode: string
      revision: string
      problems: string[]
      rollout: { status: string; step: number; canaryWeight: number; steps: unknown[] }
    }
    expect(state).toMatchObject({ mode: 'fleet', revision: 'cli-1.1', rollout: { status: 'paused', step: 1, canaryWeight: 10 } })
    expect(state.rollout.steps).toHaveLength(2)
    expect(state.problems.join('\n')).toContain(`prometheus at ${prometheus}/ could not answer`)
    const act = (token: string) =>
      fetch(`${url}/api/actions/promote`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' })
    expect((await act('rollout-token')).status).toBe(401) // the page's token, not the controller's
    expect((await act('page-token')).status).toBe(200)
    expect(controller.status()!.status).toBe('promoted')
    expect(controller.status()!.state.history.at(-1)!.message).toContain('promoted by the dashboard')
    expect(await stop()).toBe(0)
  })
})
