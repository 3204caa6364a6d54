// Proxy mode: forward requests, bodies streamed, to the variant's upstream (its `value`: a URL or { url, headers }).
import replyFrom from '@fastify/reply-from'
import { hopByHopHeaders } from '@splitlane/core'
import type { FastifyPluginCallback } from 'fastify'
import { splitStateOf } from './plugin.js'
import type { FastifyProxyOptions } from './types.js'

/** Headers without the hop-by-hop ones (the fixed list and those the Connection header names). */
function endToEnd<T extends Record<string, unknown>>(headers: T): T {
  const drop = hopByHopHeaders(headers['connection'] as string | undefined)
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name.toLowerCase()))) as T
}

/** `/api/x?y` without the prefix `/api` is `/x?y` (and `/api` alone is `/`). */
function withoutPrefix(url: string, prefix: string): string {
  if (prefix === '' || !url.startsWith(prefix)) return url
  const rest = url.slice(prefix.length)
  return rest.startsWith('/') ? rest : rest === '' || rest.startsWith('?') ? `/${rest}` : url
}

/**
 * `fastify.register(splitlaneProxy, { prefix: '/api', experiment: 'backend' })`, after `splitlane`.
 * Encapsulated: inside it request bodies are not parsed but streamed to the upstream as they come.
 * Hop-by-hop headers are dropped both ways; the upstream's headers (`${NAME}` from `env`) and the
 * variant header are set; the request URL (without the prefix when `stripPrefix`) is appended to
 * the upstream's; an upstream that fails is answered 502 (no retries unless you ask) and counted
 * as an error of that variant.
 */
export const splitlaneProxy: FastifyPluginCallback<FastifyProxyOptions> = (fastify, options, done) => {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload))
  if (!fastify.hasReplyDecorator('from')) void fastify.register(replyFrom, options.replyFrom ?? {})

  const env = options.env ?? process.env
  const prefix = options.stripPrefix === true ? fastify.prefix : ''
  fastify.all(options.url ?? '/*', (request, reply) => {
    const state = splitStateOf(request)
    const upstream = state?.upstream(options.experiment, undefined, env)
    if (upstream === undefined || !upstream.ok) {
      if (upstream !== undefined) state!.report(upstream.error)
      return reply
        .code(502)
        .type('text/plain')
        .send(upstream === undefined ? 'splitlane: request was not split' : 'splitlane: no upstream for this variant')
    }
    const header = state!.upstreamHeader
    return reply.from(upstream.url + withoutPrefix(request.url, prefix), {
      retryDelay: () => null,
      onError: (failed) => void failed.code(502).type('text/plain').send('splitlane: upstream failed'),
      ...options.from,
      rewriteHeaders: (headers, original) => endToEnd(options.from?.rewriteHeaders?.(headers, original) ?? headers),
      rewriteRequestHeaders: (original, headers) => {
        const rewritten: Record<string, unknown> = endToEnd(options.from?.rewriteRequestHeaders?.(original, headers) ?? headers)
        for (const [name, value] of upstream.headers) rewritten[name] = value
        if (header !== undefined) rewritten[header[0]] = header[1]
        return rewritten as typeof headers
      },
    })
  })
  done()
}
