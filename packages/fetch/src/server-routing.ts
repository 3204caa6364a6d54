// Routing inside withSplitlane: a handler per variant, or a proxy to the variant's upstream.
import { hopByHopHeaders, pickAssignment } from '@splitlane/core'
import { assignmentsOf, serverSplitOf } from './server.js'
import type { ByVariantOptions, FetchHandler, ProxyOptions } from './types.js'
import { processEnv } from './env.js'

/** `byVariant({ v1: handlerA, v2: handlerB }, fallback)`: a variant without a handler (or no split) goes to `fallback`. */
export function byVariant<Rest extends unknown[]>(
  handlers: Readonly<Record<string, FetchHandler<Rest>>>,
  fallback: FetchHandler<Rest>,
  options: ByVariantOptions = {},
): FetchHandler<Rest> {
  return (request, ...rest) => {
    const variant = pickAssignment(assignmentsOf(request), options.experiment)?.variant
    const handler = variant !== null && variant !== undefined && Object.hasOwn(handlers, variant) ? handlers[variant]! : fallback
    return handler(request, ...rest)
  }
}

const text = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'text/plain' } })

function withoutHopByHop(headers: Headers): Headers {
  const copy = new Headers(headers)
  for (const name of hopByHopHeaders(headers.get('connection'))) copy.delete(name)
  return copy
}

/**
 * Forwards the request, body streamed, to its variant's upstream (the variant's `value`: a URL,
 * path prefix included, or `{ url, headers }`), dropping hop-by-hop headers and setting the
 * upstream's headers (`${NAME}` from `env`) and the variant header. An unreachable upstream is
 * answered 502 (counted as an error of that variant).
 */
export function proxyByVariant(options: ProxyOptions = {}): FetchHandler {
  const fetchImpl = options.fetch ?? globalThis.fetch
  const env = options.env ?? processEnv()
  return async (request) => {
    const split = serverSplitOf(request)
    const upstream = split?.upstream(options.experiment, undefined, env)
    if (upstream === undefined || !upstream.ok) {
      if (upstream !== undefined) split!.report(upstream.error)
      return text(502, upstream === undefined ? 'splitlane: request was not split' : 'splitlane: no upstream for this variant')
    }
    const url = new URL(request.url)
    const prefix = options.stripPrefix
    const path = prefix !== undefined && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : url.pathname
    const headers = withoutHopByHop(request.headers)
    headers.delete('host')
    for (const [name, value] of upstream.headers) headers.set(name, value)
    const variantHeader = split!.upstreamHeader
    if (variantHeader !== undefined) headers.set(variantHeader[0], variantHeader[1])
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal,
    }
    if (request.body !== null) init.duplex = 'half'
    try {
      const response = await fetchImpl(upstream.url + path + url.search, init)
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: withoutHopByHop(response.headers),
      })
    } catch {
      return text(502, 'splitlane: the upstream did not answer')
    }
  }
}
