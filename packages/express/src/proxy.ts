// Proxy mode: core's proxy routing decides (URL, headers, timeout, answer, fallback); http-proxy-middleware
// sends, bodies streamed both ways; this file watches the call: client gone, upstream silent, body broken.
import {
  createProxyRouting,
  hasRequestBody,
  hopByHopHeaders,
  type ProxyAnswer,
  type ProxyRequest,
  type UpstreamCall,
} from '@splitlane/core/adapter'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { Agent as HttpAgent, type ClientRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Socket } from 'node:net'
import { splitStateOf } from './middleware.js'
import type { ExpressProxyOptions } from './types.js'

const CALL = Symbol.for('splitlane.express.call')
interface Sending {
  readonly call: UpstreamCall
  readonly proxied: ProxyRequest
  readonly next: NextFunction
  timedOut: boolean
  /** The upstream failed mid-body (and we closed the client's connection for it): not a client that left. */
  broken?: boolean
}
interface Hooks {
  proxyReq(proxyReq: ClientRequest, req: Request, res: Response): void
  proxyRes(proxyRes: IncomingMessage, req: Request, res: Response): void
  error(req: Request, res: Response | Socket): void
}
type Proxied = Request & { [CALL]?: Sending }
const sendingOf = (req: Request) => (req as Proxied)[CALL]!

/**
 * `app.use('/api', proxyByVariant({ experiment: 'backend' }))`, after `splitlane`.
 * Streams both ways (do not put a body parser before it), drops hop-by-hop headers, sets the
 * upstream's headers (`${NAME}` from `env`) and the variant header; `/api/x` goes to `<upstream url>/x`.
 * An upstream that fails is answered 502, one silent for `timeoutMs` (default 30,000) 504; a client that
 * goes away aborts the upstream call; a body that breaks mid-way closes the client's connection. Each
 * counts as an error of the variant. Connections to upstreams are kept alive unless `proxy.agent` says otherwise.
 */
export function proxyByVariant(options: ExpressProxyOptions = {}): RequestHandler {
  const routing = createProxyRouting(options)
  const env = options.env ?? process.env
  const go = (req: Request, res: Response, next: NextFunction, step: UpstreamCall | ProxyAnswer, proxied: ProxyRequest) => {
    if (!step.send) return void res.status(step.status).type('text').send(step.body)
    ;(req as Proxied)[CALL] = { call: step, proxied, next, timedOut: false }
    void (step.url.startsWith('https:') ? proxies.https : proxies.http)(req, res, next)
  }
  const hooks: Hooks = {
    proxyReq(proxyReq, req, res) {
      const sending = sendingOf(req)
      for (const name of hopByHopHeaders(req.headers.connection)) proxyReq.removeHeader(name)
      for (const [name, value] of sending.call.headers) proxyReq.setHeader(name, value)
      proxyReq.setTimeout(sending.call.timeoutMs, () => ((sending.timedOut = true), proxyReq.destroy()))
      res.once('close', () => res.writableFinished || proxyReq.destroy()) // the client went away: so does the call
    },
    proxyRes(proxyRes, req, res) {
      const sending = sendingOf(req)
      routing.settle(splitStateOf(req)!, sending.call, sending.proxied, { status: proxyRes.statusCode ?? 502 }, Date.now())
      for (const name of hopByHopHeaders(proxyRes.headers.connection)) delete proxyRes.headers[name]
      proxyRes.once('close', () => {
        const failed = sending.timedOut ? 'timeout' : 'failed'
        const end = proxyRes.complete ? 'complete' : sending.broken === true || !res.destroyed ? failed : 'client_gone'
        routing.bodyEnded(splitStateOf(req)!, sending.call, end, Date.now())
        if (end === 'timeout' || end === 'failed') res.destroy() // the client sees a broken response, not a short one that looks whole
      })
    },
    error(req, res) {
      const sending = sendingOf(req)
      if (!('status' in res) || res.destroyed) return void res.destroy() // the client is gone
      if (res.headersSent) return void ((sending.broken = true), res.destroy()) // mid-body: counted when the upstream's response closes
      const outcome = { error: sending.timedOut ? ('timeout' as const) : ('failed' as const) }
      const step = routing.settle(splitStateOf(req)!, sending.call, sending.proxied, outcome, Date.now())
      if (step !== null) go(req, res, sending.next, step, sending.proxied) // the answer, or the retry on control
    },
  }
  const proxies = {
    http: createProxy(options, new HttpAgent({ keepAlive: true }), hooks),
    https: createProxy(options, new HttpsAgent({ keepAlive: true }), hooks),
  }
  return (req, res, next) => {
    const headers = req.headers
    const proxied = { method: req.method, url: req.url, hasBody: hasRequestBody(headers['content-length'], headers['transfer-encoding']) }
    go(req, res, next, routing.start(splitStateOf(req), proxied, env, Date.now()), proxied)
  }
}

function createProxy(options: ExpressProxyOptions, agent: HttpAgent, hooks: Hooks) {
  const on = options.proxy?.on
  return createProxyMiddleware<Request, Response>({
    changeOrigin: true,
    xfwd: true,
    agent,
    ...options.proxy,
    router: (req) => sendingOf(req).call.origin,
    pathRewrite: (_path, req) => sendingOf(req).call.path,
    on: {
      ...on,
      proxyReq: (proxyReq, req, res, proxyOptions) => (
        hooks.proxyReq(proxyReq, req, res),
        on?.proxyReq?.(proxyReq, req, res, proxyOptions)
      ),
      proxyRes: (proxyRes, req, res) => (hooks.proxyRes(proxyRes, req, res), on?.proxyRes?.(proxyRes, req, res)),
      error: (error, req, res, target) => (hooks.error(req, res), on?.error?.(error, req, res, target)),
    },
  })
}
