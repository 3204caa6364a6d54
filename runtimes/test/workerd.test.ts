import { spawn, type ChildProcess } from 'node:child_process'
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults, UPSTREAM_KEY } from './expect.js'
import { SHADOW_DELAY_MS, startUpstream, type Upstream } from './upstream.js'

const require = createRequire(import.meta.url)
const workerd = require('workerd') as { default: string; compatibilityDate: string }

/** A port free now (workerd takes its address from the config, so it cannot be port 0). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

// globalOutbound "net" lets the worker reach 127.0.0.1 (workerd's default network allows public addresses only).
const capnp = (port: number) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "${workerd.compatibilityDate}",
  globalOutbound = "net",
  bindings = [(name = "UPSTREAM_KEY", text = "${UPSTREAM_KEY}")],
);
`

let upstream: Upstream
let dir: string
let child: ChildProcess
let base: string
let stderr = ''

beforeAll(async () => {
  upstream = await startUpstream()
  dir = await mkdtemp(join(tmpdir(), 'splitlane-workerd-'))
  await copyFile(bundlePath('worker'), join(dir, 'worker.js'))
  const port = await freePort()
  await writeFile(join(dir, 'config.capnp'), capnp(port))
  child = spawn(workerd.default, ['serve', join(dir, 'config.capnp')], { stdio: ['ignore', 'inherit', 'pipe'] })
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)))
  base = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`workerd exited ${child.exitCode}: ${stderr}`)
    if (
      await fetch(base).then(
        () => true,
        () => false,
      )
    )
      break
    if (tries > 200) throw new Error(`workerd did not listen on ${base}: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
})

afterAll(async () => {
  child?.kill()
  await upstream?.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('Cloudflare Workers (workerd from npm, a worker bundled from dist)', () => {
  it('matches Node: assignments, explain, WebCrypto override tokens, LLM split and shadow, URL config source (poll: false + revalidate)', async () => {
    const node = await nodeResults(upstream)
    const response = await fetch(`${base}/checks?upstream=${encodeURIComponent(upstream.url)}`)
    expect(response.status, stderr).toBe(200)
    expectLikeNode(await response.json(), node, 'filled') // ${UPSTREAM_KEY} from the worker's env binding
  })

  it('serves withSplitlane: variant header and sticky cookie from workerd itself', async () => {
    const node = await nodeResults(upstream)
    const known = await fetch(`${base}/served`, { headers: { 'x-user-id': 'user-42' } })
    const anonymous = await fetch(`${base}/served`)
    expect([known.status, await known.text(), known.headers.get('splitlane-variant')]).toEqual([
      200,
      `hello /served, ${node.server.known}`,
      node.server.known,
    ])
    expect(anonymous.headers.get('set-cookie')).toMatch(/^splitlane_id=/)
  })

  const mirror = async (id: string, wait: boolean) => {
    const response = await fetch(`${base}/mirror?id=${id}&wait=${wait ? 1 : 0}&upstream=${encodeURIComponent(upstream.url)}`)
    expect([response.status, await response.text()]).toEqual([200, expect.stringContaining('chat.completion')])
    // the shadow answers SHADOW_DELAY_MS after the response was sent
    await new Promise((resolve) => setTimeout(resolve, SHADOW_DELAY_MS + 500))
    return upstream.shadowHits.filter((hit) => hit.mirrorId === id)
  }

  it('settles a mirror after the response is sent, through ctx.waitUntil', async () => {
    expect(await mirror('with-wait-until', true)).toEqual([
      { path: '/shadow/llm/a/slow-mirror', marked: true, mirrorId: 'with-wait-until', answered: true },
    ])
  })

  it('(without waitUntil workerd abandons the mirror: what the test above guards against)', async () => {
    expect(await mirror('without-wait-until', false)).toEqual([
      { path: '/shadow/llm/a/slow-mirror', marked: true, mirrorId: 'without-wait-until', answered: false },
    ])
  })
})
