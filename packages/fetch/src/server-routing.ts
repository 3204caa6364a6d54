// Routing inside withSplitlane: a handler per variant, or a proxy to the variant's upstream.
import { SplitlaneError, createVariantHandlers, hopByHopHeaders } from '@splitlane/core'
import { assignmentsOf, serverSplitOf } from './server.js'
import type { ByVariantOptions, FetchHandler, ProxyOptions } from './types.js'
import { processEnv } from './env.js'

const text = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'text/plain' } })

/**
 * `byVariant({ control: oldCheckout, canary: newCheckout }, oldCheckout, { splitter, experiment: 'checkout' })`: a variant
 * without a handler (or no split) goes to `fallback`. Checked against the splitter's config now: a key naming no
 * variant, or no `experiment` while the config has several, throws `SPLITLANE_ERR_OPTIONS_INVALID`.
 */
export function byVariant<Rest extends unknown[]>(
  handlers: Readonly<Record<string, FetchHandler<Rest>>>,
  fallback: FetchHandler<Rest>,
  options: ByVariantOptions,
): FetchHandler<Rest> {
  const route = createVariantHandlers({ ...options, handlers, where: 'byVariant' })
  return (request, ...rest) => {
    const split = serverSplitOf(request)
    const handler = route.pick(assignmentsOf(request), (error) => split?.report(error))
    if (handler instanceof SplitlaneError) {
      split?.report(handler) // a second experiment came with a live update: never serve one variant labelled as another
      return text(500, `splitlane: ${handler.message}`)
    }
    return (handler ?? fallback)(request, ...rest)
  }
}

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
