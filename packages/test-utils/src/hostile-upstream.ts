// An upstream that misbehaves on purpose, for the proxies' attack scenarios: real server on 127.0.0.1 port 0
// that counts its open sockets, so a test can see what a proxy left behind.
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { closeServer } from './helloworld.js'

export interface HostileUpstream {
  readonly url: string
  /** Requests received so far. */
  received(): number
  /** TCP connections still open on the upstream's side. */
  openSockets(): number
  close(): Promise<void>
}

/**
 * `/hang` never answers; `/reset` sends 200 and part of a chunked body, then resets the connection (also any path
 * with a `reset` segment, so an upstream URL `.../reset` resets every call); `/stall` sends 200 and part of a body,
 * then goes silent; anything else answers `ok`.
 */
export async function startHostileUpstream(): Promise<HostileUpstream> {
  const sockets = new Set<Socket>()
  const stalled = new Set<ServerResponse>()
  let received = 0
  const server = createServer((req, res) => {
    received++
    const path = (req.url ?? '/').split('?', 1)[0]!
    if (path.endsWith('/hang')) return
    const reset = path.split('/').includes('reset')
    if (reset || path.endsWith('/stall')) {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('x'.repeat(1000))
      if (!reset) stalled.add(res)
      // once the first part is on the wire, cut the connection with a TCP reset
      else setTimeout(() => res.socket?.resetAndDestroy(), 50)
      return
    }
    res.end('ok')
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    openSockets: () => sockets.size,
    close: () => closeServer(server),
  }
}

/** Polls `read` every 10 ms until it returns `want` or `ms` pass; returns the last value read. */
export async function settledValue<T>(read: () => T, want: T, ms = 5000): Promise<T> {
  const until = performance.now() + ms
  let value = read()
  while (value !== want && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    value = read()
  }
  return value
}
