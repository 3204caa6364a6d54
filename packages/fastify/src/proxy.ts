// Proxy mode: forward requests, bodies streamed, to the variant's upstream URL (its `value`).
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

/**
 * `fastify.register(splitlaneProxy, { prefix: '/api', experiment: 'backend' })`, after `splitlane`.
 * Encapsulated: inside it request bodies are not parsed but streamed to the upstream as they come.
 * Hop-by-hop headers are dropped both ways; the variant header is forwarded; an upstream that
 * fails is answered 502 (no retries unless you ask) and counted as an error of that variant.
 */
export const splitlaneProxy: FastifyPluginCallback<FastifyProxyOptions> = (fastify, options, done) => {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload))
  if (!fastify.hasReplyDecorator('from')) void fastify.register(replyFrom, options.replyFrom ?? {})

  fastify.all(options.url ?? '/*', (request, reply) => {
    const state = splitStateOf(request)
    const upstream = state?.upstream(options.experiment)
    if (upstream === undefined || !upstream.ok) {
      if (upstream !== undefined) state!.report(upstream.error)
      return reply
        .code(502)
        .type('text/plain')
        .send(upstream === undefined ? 'splitlane: request was not split' : 'splitlane: no upstream for this variant')
    }
    const header = state!.upstreamHeader
    return reply.from(upstream.url + request.url, {
      retryDelay: () => null,
      onError: (failed) => void failed.code(502).type('text/plain').send('splitlane: upstream failed'),
      ...options.from,
      rewriteHeaders: (headers, original) => endToEnd(options.from?.rewriteHeaders?.(headers, original) ?? headers),
      rewriteRequestHeaders: (original, headers) => {
        const rewritten = endToEnd(options.from?.rewriteRequestHeaders?.(original, headers) ?? headers)
        return header === undefined ? rewritten : { ...rewritten, [header[0]]: header[1] }
      },
    })
  })
  done()
}
