// Real HTTP servers on 127.0.0.1 port 0 for the fetch adapter's tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  url: string
  /** Requests received, in order. */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[]
  close(): Promise<void>
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void | Promise<void>

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({ method: request.method!, url: request.url!, headers: request.headers, body })
      void Promise.resolve(handler(request, response, body)).catch(() => response.destroy())
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Deterministic bytes (all 256 values) for pass-through checks. */
export function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length)
  let state = seed >>> 0
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state >>> 24
  }
  return out
}

/**
 * A helloworld-style upstream named `name`: echoes the request body byte for byte with
 * `x-upstream: name`; `/stream` sends a first chunk, then the rest only after `/release` is called.
 */
export async function startUpstream(name: string): Promise<TestServer & { streamed: Buffer[] }> {
  const streamed = [bytes(1000, 7), bytes(50_000, 8), bytes(3, 9)]
  let release: (() => void) | undefined
  const server = await startServer(async (request, response, body) => {
    if (request.url === '/release') {
      release?.()
      response.end('released')
      return
    }
    if (request.url?.startsWith('/stream')) {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'x-upstream': name })
      response.write(streamed[0])
      await new Promise<void>((resolve) => (release = resolve))
      response.write(streamed[1])
      response.end(streamed[2])
      return
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'x-upstream': name })
    response.end(body.length > 0 ? body : `hello from ${name}`)
  })
  return { ...server, streamed }
}

/** Answers every request with `status` (a failing upstream). */
export const startFailing = (status = 500) =>
  startServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/plain' })
    response.end(`failed with ${status}`)
  })

/** Never answers within `ms` (a hanging shadow); `answered` counts the answers it did send. */
export async function startHanging(ms = 30_000): Promise<TestServer & { answered: () => number }> {
  let answered = 0
  const server = await startServer(async (_request, response) => {
    await new Promise((resolve) => setTimeout(resolve, ms).unref())
    answered++
    response.end('late')
  })
  return { ...server, answered: () => answered }
}
