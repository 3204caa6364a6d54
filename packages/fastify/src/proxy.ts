// Proxy mode: core's proxy routing decides (URL, headers, timeout, answer, fallback); @fastify/reply-from
// sends, bodies streamed both ways; this file watches the call: client gone, upstream silent, body broken.
import replyFrom from '@fastify/reply-from'
import { createProxyRouting, hasRequestBody, hopByHopHeaders, type ProxyRequest, type UpstreamCall } from '@splitlane/core/adapter'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import { splitStateOf } from './plugin.js'
import type { FastifyProxyOptions } from './types.js'

/** Headers without the hop-by-hop ones (the fixed list and those the Connection header names). */
function endToEnd<T extends Record<string, unknown>>(headers: T): T {
  const drop = hopByHopHeaders(headers['connection'] as string | undefined)
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop.has(name.toLowerCase()))) as T
}

/**
 * `fastify.register(proxyByVariant, { prefix: '/api', experiment: 'backend' })`, after `splitlane`.
 * Encapsulated: inside it request bodies are not parsed but streamed to the upstream as they come.
 * Hop-by-hop headers are dropped both ways; the upstream's headers (`${NAME}` from `env`) and the
 * variant header are set; the request URL (without the prefix when `stripPrefix`) is appended to the
 * upstream's. An upstream that fails is answered 502, one silent for `timeoutMs` (default 30,000) 504;
 * a client that goes away aborts the upstream call; a body that breaks mid-way closes the client's
 * connection. Each counts as an error of the variant.
 */
export const proxyByVariant: FastifyPluginCallback<FastifyProxyOptions> = (fastify, options, done) => {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload))
  // reply-from passes no signal of its own, and builds its http.request synchronously inside reply.from:
  // the signal of the call being sent is read there, through this getter.
  let sending: AbortSignal | undefined
  const requestOptions = { ...options.replyFrom?.http?.requestOptions, get signal() { return sending } } // prettier-ignore
  if (!fastify.hasReplyDecorator('from'))
    void fastify.register(replyFrom, { ...options.replyFrom, http: { ...options.replyFrom?.http, requestOptions } })

  const env = options.env ?? process.env
  const routing = createProxyRouting({
    experiment: options.experiment,
    stripPrefix: options.stripPrefix === true ? fastify.prefix : undefined,
    timeoutMs: options.timeoutMs,
    fallback: options.fallback,
  })
  const send = (request: FastifyRequest, reply: FastifyReply, call: UpstreamCall, proxied: ProxyRequest) => {
    const split = splitStateOf(request)!
    const client = new AbortController()
    const gone = () => reply.raw.writableFinished || client.abort() // the client went away: so does the call
    reply.raw.once('close', gone)
    let timedOut = false
    sending = client.signal
    try {
      return reply.from(call.url, {
        retryDelay: () => null,
        ...options.from,
        timeout: call.timeoutMs,
        onResponse: (_request, reply, res) => {
          routing.settle(split, call, proxied, { status: res.statusCode ?? 502 }, Date.now())
          let broken = false // the upstream's body failed while the client was still there (Fastify then closes the client)
          res.stream.once('error', () => (broken = !client.signal.aborted))
          res.stream.once('close', () => {
            const failed = timedOut ? 'timeout' : 'failed'
            const end = res.stream.complete ? 'complete' : broken || !reply.raw.destroyed ? failed : 'client_gone'
            routing.bodyEnded(split, call, end, Date.now())
            if (end === 'timeout' || end === 'failed') reply.raw.destroy() // the client sees a broken response, not a short one that looks whole
          })
          void reply.send(res.stream)
        },
        onError: (_reply, { error }) => {
          timedOut = (error as { statusCode?: number }).statusCode === 504
          if (client.signal.aborted || reply.raw.headersSent) return
          const step = routing.settle(split, call, proxied, { error: timedOut ? 'timeout' : 'failed' }, Date.now())
          if (step?.send === true) return void send(request, reply, step, proxied) // the retry on control
          if (step !== null) void reply.code(step.status).type('text/plain').send(step.body)
        },
        rewriteHeaders: (headers, original) => endToEnd(options.from?.rewriteHeaders?.(headers, original) ?? headers),
        rewriteRequestHeaders: (original, headers) => {
          const rewritten: Record<string, unknown> = endToEnd(options.from?.rewriteRequestHeaders?.(original, headers) ?? headers)
          for (const [name, value] of call.headers) rewritten[name] = value
          return rewritten as typeof headers
        },
      })
    } finally {
      sending = undefined
    }
  }
  fastify.all(options.url ?? '/*', (request, reply) => {
    const headers = request.headers
    const proxied = {
      method: request.method,
      url: request.url,
      hasBody: hasRequestBody(headers['content-length'], headers['transfer-encoding']),
    }
    const step = routing.start(splitStateOf(request), proxied, env, Date.now())
    if (step.send) return send(request, reply, step, proxied)
    return reply.code(step.status).type('text/plain').send(step.body)
  })
  done()
}

/** @deprecated Renamed `proxyByVariant`, the name of every adapter's proxy; this alias goes in 1.0. */
export const splitlaneProxy = proxyByVariant
