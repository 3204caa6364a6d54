// Proxy mode inside withSplitlane: core's proxy routing decides (URL, headers, timeout, answer, fallback);
// this file sends the call with fetch and watches it: client gone, upstream silent, body broken.
import {
  createProxyRouting,
  forwardHeaders,
  hopByHopHeaders,
  type RelayEnd,
  type RequestSplit,
  type UpstreamCall,
} from '@splitlane/core/adapter'
import { processEnv } from './env.js'
import { finishesWithBody, serverSplitOf, textResponse as text } from './server.js'
import type { FetchHandler, ProxyOptions } from './server-types.js'
import type { FetchFunction } from './types.js'

function withoutHopByHop(headers: Headers): Headers {
  const copy = new Headers(headers)
  for (const name of hopByHopHeaders(headers.get('connection'))) copy.delete(name)
  return copy
}

interface Answered {
  readonly response: Response
  /** Restarts the silence timer (on each chunk of the body). */
  rearm(): void
  /** Stops watching: the timer, the client's signal. */
  stop(): void
  timedOut(): boolean
}

/** One call, aborted when the client goes away or the upstream stays silent for `call.timeoutMs`. */
async function send(fetchImpl: FetchFunction, request: Request, call: UpstreamCall): Promise<Answered | { error: 'timeout' | 'failed' }> {
  const upstream = new AbortController()
  const gone = () => upstream.abort()
  request.signal.addEventListener('abort', gone, { once: true })
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const rearm = () => {
    clearTimeout(timer)
    timer = setTimeout(() => ((timedOut = true), upstream.abort()), call.timeoutMs)
  }
  const stop = () => (clearTimeout(timer), request.signal.removeEventListener('abort', gone))
  rearm()
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers: forwardHeaders(Object.fromEntries(request.headers), call),
    body: request.body,
    redirect: 'manual',
    signal: upstream.signal,
  }
  if (request.body !== null) init.duplex = 'half'
  try {
    return { response: await fetchImpl(call.url, init), rearm, stop, timedOut: () => timedOut }
  } catch {
    stop()
    return { error: timedOut ? 'timeout' : 'failed' }
  }
}

/** The upstream's body for the client; a body that breaks mid-way errors the client's stream (the server closes the connection). */
function relay(body: ReadableStream<Uint8Array>, sent: Answered, ended: (end: RelayEnd) => void) {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read()
        if (next.done) return (sent.stop(), ended('complete'), controller.close())
        sent.rearm()
        controller.enqueue(next.value)
      } catch (error) {
        sent.stop()
        ended(sent.timedOut() ? 'timeout' : 'failed')
        controller.error(error)
      }
    },
    cancel: (reason) => (sent.stop(), ended('client_gone'), reader.cancel(reason)),
  })
}

/**
 * Forwards the request, body streamed, to its variant's upstream (the variant's `value`: a URL, path prefix
 * included, or `{ url, headers }`), as core's proxy routing says: hop-by-hop headers dropped, the upstream's
 * headers (`${NAME}` from `env`) and the variant header set; 502 when the upstream fails, 504 when it stays
 * silent for `timeoutMs`; the upstream call aborted when the client goes away. See docs/adapters/fetch.md.
 */
export function proxyByVariant(options: ProxyOptions = {}): FetchHandler {
  const fetchImpl = options.fetch ?? globalThis.fetch
  const env = options.env ?? processEnv()
  const routing = createProxyRouting(options)
  return async (request) => {
    const split = serverSplitOf(request)
    const url = new URL(request.url)
    const proxied = { method: request.method, url: url.pathname + url.search, hasBody: request.body !== null }
    let next = routing.start(split, proxied, env, Date.now())
    while (next.send) {
      const call = next
      const sent = await send(fetchImpl, request, call)
      const outcome = 'response' in sent ? { status: sent.response.status } : sent
      // a client that went away was counted when it left; nothing more to send or tell
      const settled = request.signal.aborted ? undefined : routing.settle(split!, call, proxied, outcome, Date.now())
      if ('response' in sent && settled === null) return passOn(sent, split!, call)
      if ('response' in sent) {
        sent.stop()
        void sent.response.body?.cancel().catch(() => undefined)
      }
      if (settled === undefined || settled === null) return text(502, 'splitlane: the client went away')
      next = settled
    }
    return text(next.status, next.body)
  }
  function passOn(sent: Answered, split: RequestSplit, call: UpstreamCall) {
    const { response } = sent
    const init = { status: response.status, statusText: response.statusText, headers: withoutHopByHop(response.headers) }
    if (response.body === null) return (sent.stop(), routing.bodyEnded(split, call, 'complete', Date.now()), new Response(null, init))
    const body = relay(response.body, sent, (end) => {
      routing.bodyEnded(split, call, end, Date.now())
      if (end === 'complete') split.finish({ status: response.status })
      else if (end !== 'client_gone') split.finish({ status: response.status, error: true })
    })
    return finishesWithBody(new Response(body, init))
  }
}
