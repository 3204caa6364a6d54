import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSplitter } from '@splitlane/core'
import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { createDashboard } from '../src/index.js'
import { mountFastify } from '../src/node.js'

// The same handler in Fastify and in a plain Fetch-API server (Request -> Response), over real HTTP.
const config = { version: 1 as const, experiments: { checkout: { variants: [{ name: 'v1' }, { name: 'v2' }] } } }
const closers: (() => Promise<unknown>)[] = []
afterAll(() => Promise.all(closers.map((close) => close())))

async function exercise(base: string) {
  const page = await fetch(`${base}/splitlane`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('/splitlane/assets/app.js')
  const script = await fetch(`${base}/splitlane/assets/app.js`)
  expect(script.headers.get('content-type')).toContain('text/javascript')
  expect((await script.text()).length).toBeGreaterThan(10_000)
  const refused = await fetch(`${base}/splitlane/api/actions/kill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"experiment":"checkout"}',
  })
  expect(refused.status).toBe(401)
  const applied = await fetch(`${base}/splitlane/api/actions/kill`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    body: '{"experiment":"checkout"}',
  })
  expect(await applied.json()).toMatchObject({ ok: true, result: expect.stringContaining('checkout disabled') })
}

describe('mounting', () => {
  it('works in Fastify with its JSON body parser in place', async () => {
    const splitter = createSplitter({ config })
    const app = Fastify()
    mountFastify(app, createDashboard({ splitter, token: 't' }))
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    closers.push(() => app.close())
    await exercise(address)
    expect(splitter.config.experiments['checkout']!.enabled).toBe(false)
  })

  it('works in any Fetch-API server as dashboard.handle', async () => {
    const splitter = createSplitter({ config })
    const dashboard = createDashboard({ splitter, token: 't' })
    // a minimal Fetch-API server over node:http, as Bun.serve / Deno.serve / workerd would call it
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = req.method === 'POST' ? Buffer.concat(chunks).toString() : undefined
        const headers = Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
        void dashboard
          .handle(new Request(`http://127.0.0.1${req.url}`, { method: req.method!, headers, ...(body ? { body } : {}) }))
          .then(async (response) => {
            res.writeHead(response.status, Object.fromEntries(response.headers))
            res.end(Buffer.from(await response.arrayBuffer()))
          })
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => server.close(resolve)))
    await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    expect(splitter.config.experiments['checkout']!.enabled).toBe(false)
  })
})
