// A tiny node:http <-> Fetch adapter for tests: real sockets on 127.0.0.1 port 0, streamed both ways.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'

export interface FetchServer {
  url: string
  close(): Promise<void>
}

/** As servers that speak Fetch do (Hono's node-server, Bun, Deno), the request's signal aborts when the client goes away. */
function toRequest(req: IncomingMessage, res: ServerResponse): Request {
  const gone = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) gone.abort()
  })
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const body = hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method,
    headers,
    body,
    duplex: 'half',
    signal: gone.signal,
  } as RequestInit)
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value)
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  res.writeHead(response.status, response.statusText)
  res.flushHeaders()
  const reader = response.body?.getReader()
  if (reader !== undefined) for (let next = await reader.read(); !next.done; next = await reader.read()) res.write(next.value)
  res.end()
}

/** Serves a Fetch handler; `wrap` runs around each request (e.g. an OpenTelemetry server span). */
export async function serveFetch(
  handler: (request: Request) => Response | Promise<Response>,
  wrap: (req: IncomingMessage, res: ServerResponse, handle: () => void) => void = (_req, _res, handle) => handle(),
): Promise<FetchServer> {
  const server = createServer((req, res) =>
    wrap(req, res, () => {
      Promise.resolve()
        .then(() => handler(toRequest(req, res)))
        .then((response) => send(response, res))
        .catch(() => {
          // a body that broke after the status went out: close the connection, so the client sees it broken, not short
          if (res.headersSent) return void res.destroy()
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end('internal error')
        })
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
