import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
})
