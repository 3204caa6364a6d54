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
      try {
        for await (const chunk of req) {
          size += (chunk as Buffer).length
          if (size > MAX_BODY_BYTES + 1) break
          chunks.push(chunk as Buffer)
        }
      } catch {
        // the client reset mid-body: nobody is left to answer, and a rejection here would crash the process
        res.destroy()
        return
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

/** What `mountFastify` needs of a Fastify instance (typed structurally: no runtime dependency on Fastify). */
export interface FastifyLike {
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown
}
interface FastifyRequestLike {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body?: unknown
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike
  headers(values: Record<string, string>): FastifyReplyLike
  send(payload: Buffer): unknown
}

/** Fastify: `mountFastify(app, dashboard)` adds the dashboard's routes (its body parsers stay in charge). */
export function mountFastify(app: FastifyLike, dashboard: Dashboard): void {
  const handler = async (request: FastifyRequestLike, reply: FastifyReplyLike) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value)
    // Fastify has parsed a JSON body already; the handler reads text, so give it back as text
    const body =
      request.body === undefined || request.body === null
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body)
    const url = new URL(request.url, `http://${headers.get('host') ?? 'localhost'}`)
    const response = await dashboard.handle(
      new Request(url, { method: request.method, headers, ...(body === undefined || request.method === 'GET' ? {} : { body }) }),
    )
    return reply
      .code(response.status)
      .headers(Object.fromEntries(response.headers))
      .send(Buffer.from(await response.arrayBuffer()))
  }
  app.all(dashboard.basePath, handler)
  app.all(`${dashboard.basePath}/*`, handler)
}
