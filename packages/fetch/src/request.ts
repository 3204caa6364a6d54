// The outgoing call: a light view of what the caller passed (no `Request` built on the fast path),
// its URL on the upstream, labelled headers, the body passed through (or its model rewritten).
import { rewriteUrl, withModel } from '@splitlane/core/adapter'
import { isReusable } from './body.js'
import type { Route } from './route.js'
import type { SplitCall } from './types.js'

/** `RequestInit` plus Node's `duplex`, needed to send a stream body. */
export type OutgoingInit = RequestInit & { duplex?: 'half' }

export interface Outgoing {
  readonly url: string
  readonly init: OutgoingInit
}

/** What the caller passed to `fetch`, read once. */
export interface CallSource extends SplitCall {
  readonly body: BodyInit | null
  /** Passed on as given (signal, redirect, credentials, dispatcher, ...). */
  readonly init: RequestInit | undefined
  /** The caller's headers as given, copied once per outgoing call. */
  readonly givenHeaders: HeadersInit | undefined
}

/**
 * A call read from a URL and init; `headers` is built only when a getter reads it. A class so that
 * the getter lives on the prototype: an object literal with a getter costs microseconds per call.
 */
class UrlCall implements CallSource {
  #headers: Headers | undefined
  readonly method: string
  readonly givenHeaders: HeadersInit | undefined
  readonly body: BodyInit | null
  constructor(
    readonly url: string,
    readonly init: RequestInit | undefined,
  ) {
    this.method = init?.method === undefined ? 'GET' : init.method.toUpperCase()
    this.givenHeaders = init?.headers
    this.body = init?.body ?? null
  }
  get headers(): Headers {
    return (this.#headers ??= new Headers(this.init?.headers))
  }
}

/** Reads `fetch`'s arguments: a `Request` only when the caller passed one. */
export function readCall(input: RequestInfo | URL, init: RequestInit | undefined): CallSource {
  if (typeof input === 'string') return new UrlCall(input, init)
  if (input instanceof URL) return new UrlCall(input.href, init)
  const request = init === undefined ? input : new Request(input, init)
  const passed = { signal: request.signal, redirect: request.redirect, ...init }
  return {
    url: request.url,
    method: request.method,
    headers: request.headers,
    givenHeaders: request.headers,
    body: request.body,
    init: passed,
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i

/** The outgoing URL and init for a route; a promise only when an LLM body's `model` is rewritten. */
export function buildCall(
  call: CallSource,
  body: BodyInit | null,
  route: Route,
  bases: readonly string[],
  labels: readonly (readonly [string, string])[],
): Outgoing | Promise<Outgoing> {
  const url = rewriteUrl(call.url, route.upstream?.url ?? null, bases)
  const model = route.upstream?.model
  // The common call (no headers of the caller's, no model to rewrite) gets a plain record, which fetch reads
  // faster than a Headers object; the names are lower-cased so that a later value replaces an earlier one, as `set` does.
  if (call.givenHeaders === undefined && (model === undefined || body === null)) {
    const record: Record<string, string> = {}
    for (const [name, value] of route.headers) record[name.toLowerCase()] = value
    for (const [name, value] of labels) record[name.toLowerCase()] = value
    return outgoing(url, call, record, body)
  }
  const headers = new Headers(call.givenHeaders)
  for (const [name, value] of route.headers) headers.set(name, value)
  for (const [name, value] of labels) headers.set(name, value)
  if (model === undefined || body === null || !JSON_TYPE.test(headers.get('content-type') ?? '')) return outgoing(url, call, headers, body)
  headers.delete('content-length')
  const rewrite = (text: string) => outgoing(url, call, headers, withModel(text, model) ?? text)
  return typeof body === 'string' ? rewrite(body) : new Response(body).text().then(rewrite)
}

function outgoing(url: string, call: CallSource, headers: HeadersInit, body: BodyInit | null): Outgoing {
  const init: OutgoingInit =
    call.init === undefined ? { method: call.method, headers, body } : { ...call.init, method: call.method, headers, body }
  if (body !== null && typeof body === 'object' && !isReusable(body)) init.duplex = 'half'
  return { url, init }
}
