// The upstream every runtime talks to, served by Node on 127.0.0.1: the config document, two OpenAI-compatible
// models that echo what they received, a shadow that answers late and records each mirror, and (same origin,
// so no CORS) the browser page.
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { servedConfig } from '../src/config.js'

export interface ShadowHit {
  path: string
  marked: boolean
  mirrorId: string | null
  /** The late answer went out whole (a mirror its runtime abandoned is cut off before it). */
  answered: boolean
}

export interface Upstream {
  url: string
  shadowHits: ShadowHit[]
  close: () => Promise<void>
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>splitlane</title><script type="module" src="/browser.js"></script>'
export const SHADOW_DELAY_MS = 300

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of request) body += String(chunk)
  return body
}

export async function startUpstream(browserBundle?: string): Promise<Upstream> {
  const shadowHits: ShadowHit[] = []
  const server = createServer((request, response) => {
    void (async () => {
      const path = request.url ?? '/'
      const body = await bodyOf(request)
      const json = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      if (path === '/config') return json(servedConfig)
      if (path.startsWith('/shadow')) {
        const hit: ShadowHit = {
          path,
          marked: request.headers['splitlane-shadow'] === '1',
          mirrorId: request.headers['x-mirror-id']?.toString() ?? null,
          answered: false,
        }
        shadowHits.push(hit)
        await new Promise((resolve) => setTimeout(resolve, SHADOW_DELAY_MS))
        if (response.destroyed) return
        return void response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ shadow: true }), () => (hit.answered = true))
      }
      if (path.startsWith('/llm/')) {
        const model = body === '' ? null : (JSON.parse(body) as { model?: string }).model
        return json({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
          auth: request.headers.authorization ?? null,
          path,
        })
      }
      if (path === '/' && browserBundle !== undefined) return response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
      if (path === '/browser.js' && browserBundle !== undefined)
        return response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(browserBundle))
      response.writeHead(404).end()
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    shadowHits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
