// The helloworld v1/v2/v3 upstreams: real HTTP servers on 127.0.0.1, port 0.
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export const STREAM_CHUNKS = 5
export const STREAM_CHUNK_GAP_MS = 30

/** The bytes `GET /stream` sends, chunk by chunk. */
export const streamChunk = (version: string, index: number) => `${version} chunk ${index} ${'x'.repeat(100 + index)}\n`

export interface Upstream {
  readonly version: string
  readonly url: string
  /** Headers of every request received, in order. */
  readonly received: IncomingHttpHeaders[]
  /** `performance.now()` when each `/stream` response ended. */
  readonly streamEnds: number[]
  close(): Promise<void>
}

/**
 * `GET /hello` -> `Hello version: <v>`; `POST /echo` -> the request body streamed back as it comes;
 * `GET /stream` -> five chunks 30 ms apart; `GET /status/<n>` -> that status; `GET /headers` ->
 * the request headers as JSON. Every response has `x-version`, and a hop-by-hop `x-upstream-hop`.
 */
export async function startHelloworld(version: string): Promise<Upstream> {
  const received: IncomingHttpHeaders[] = []
  const streamEnds: number[] = []
  const server: Server = createServer((req, res) => {
    received.push(req.headers)
    res.setHeader('x-version', version)
    res.setHeader('connection', 'keep-alive, x-upstream-hop')
    res.setHeader('x-upstream-hop', 'must not reach the client')
    const path = (req.url ?? '/').split('?', 1)[0]!
    if (req.method === 'POST' && path.endsWith('/echo')) {
      res.setHeader('content-type', req.headers['content-type'] ?? 'application/octet-stream')
      req.pipe(res)
    } else if (path.endsWith('/stream')) {
      res.setHeader('content-type', 'text/plain')
      let index = 0
      const next = () => {
        res.write(streamChunk(version, index++))
        if (index < STREAM_CHUNKS) setTimeout(next, STREAM_CHUNK_GAP_MS)
        else res.end(() => streamEnds.push(performance.now()))
      }
      next()
    } else if (path.includes('/status/')) {
      res.statusCode = Number(path.split('/status/')[1])
      res.end(`status ${res.statusCode} from ${version}`)
    } else if (path.endsWith('/headers')) {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(req.headers))
    } else {
      res.setHeader('content-type', 'text/plain')
      res.end(`Hello version: ${version}`)
    }
  })
  keepIdleConnections(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    version,
    url: `http://127.0.0.1:${port}`,
    received,
    streamEnds,
    close: () => closeServer(server),
  }
}

/**
 * Keeps idle keep-alive connections open until the server closes. With Node's default of 5 s, a
 * proxy that reuses a connection just as the server drops it gets a reset (a 502/504 in a test
 * that expects 200) whenever a loaded machine pauses between two requests for about 5 s.
 */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = 0
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
}

/** A URL on which nothing listens: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await closeServer(server)
  return `http://127.0.0.1:${port}`
}

/** What the echo server saw of a request. */
export interface Echoed {
  method: string
  /** The path and query as received. */
  url: string
  headers: IncomingHttpHeaders
  body: string
}

/** A server on 127.0.0.1 port 0 answering every request with JSON `Echoed`: where it arrived, its headers and body. */
export async function startEcho(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const echoed: Echoed = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(echoed))
    })
  })
  keepIdleConnections(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) }
}
