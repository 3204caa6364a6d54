// Building the outgoing call: URL on the upstream, labelled headers, the body passed through (or its model rewritten).
import { rewriteUrl, withModel } from '@splitlane/core'
import type { Route } from './route.js'

/** `RequestInit` plus Node's `duplex`, needed to send a stream body. */
export type OutgoingInit = RequestInit & { duplex?: 'half' }

export interface Outgoing {
  readonly url: string
  readonly init: OutgoingInit
}

/** A body that can be sent more than once as it is. */
function isReusable(body: unknown): boolean {
  return (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  )
}

/**
 * The request body as `count` independent copies, never buffered: the caller's own body when it can be
 * reused (keeping its Content-Length), else tees of the stream.
 */
export function bodyCopies(request: Request, init: RequestInit | undefined, count: number): (BodyInit | null)[] {
  const given = init?.body
  if (request.body === null) return Array<null>(count).fill(null)
  if (given !== undefined && given !== null && isReusable(given)) return Array<BodyInit>(count).fill(given)
  const copies: ReadableStream<Uint8Array>[] = []
  let rest: ReadableStream<Uint8Array> = request.body
  for (let i = 1; i < count; i++) {
    const [one, other] = rest.tee()
    copies.push(one)
    rest = other
  }
  copies.push(rest)
  return copies
}

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i

/** The outgoing URL and init for a route; async only when an LLM body's `model` is rewritten. */
export async function buildCall(
  request: Request,
  init: RequestInit | undefined,
  body: BodyInit | null,
  route: Route,
  bases: readonly string[],
  labels: readonly (readonly [string, string])[],
): Promise<Outgoing> {
  const headers = new Headers(request.headers)
  for (const [name, value] of route.headers) headers.set(name, value)
  for (const [name, value] of labels) headers.set(name, value)
  let sent = body
  const model = route.upstream?.model
  if (model !== undefined && body !== null && JSON_TYPE.test(headers.get('content-type') ?? '')) {
    const text = typeof body === 'string' ? body : await new Response(body).text()
    sent = withModel(text, model) ?? text
    headers.delete('content-length')
  }
  const outgoing: OutgoingInit = { ...init, method: request.method, headers, body: sent, redirect: request.redirect }
  if (sent instanceof ReadableStream) outgoing.duplex = 'half'
  return { url: rewriteUrl(request.url, route.upstream?.url ?? null, bases), init: outgoing }
}
