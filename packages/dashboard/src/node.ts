// Node adapters: Express (`app.use(toNodeHandler(dashboard))`) and Fastify (`reply.hijack()` then the handler on raw req/res).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MAX_BODY_BYTES, type Dashboard } from './index.js'

export function toNodeHandler(dashboard: Dashboard) {
  return async (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next?: () => void): Promise<void> => {
    const url = new URL(req.originalUrl ?? req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
    let body: string | undefined
    if (req.method === 'POST') {
      let size = 0
      const chunks: Buffer[] = []
      for await (const chunk of req) {
        size += (chunk as Buffer).length
        if (size > MAX_BODY_BYTES + 1) break
        chunks.push(chunk as Buffer)
      }
      body = Buffer.concat(chunks).toString('utf8')
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
    const response = await dashboard.handle(
      new Request(url, { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) }),
    )
    if (response.status === 404 && next) return next()
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  }
}
