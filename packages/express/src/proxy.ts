// Proxy mode: forward the request, body streamed, to the variant's upstream (its `value`: a URL or { url, headers }).
import { hopByHopHeaders, type UpstreamResult } from '@splitlane/core'
import type { Request, RequestHandler, Response } from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { splitStateOf } from './middleware.js'
import type { ExpressProxyOptions } from './types.js'

const TARGET = Symbol.for('splitlane.express.target')
type Targeted = Request & { [TARGET]?: Extract<UpstreamResult, { ok: true }> }

/**
 * `app.use('/api', proxyByVariant({ experiment: 'backend' }))`, after `createExpressMiddleware`.
 * Streams both ways (do not put a body parser before it), drops hop-by-hop headers, sets the
 * upstream's headers (`${NAME}` from `env`) and the variant header, and answers 502 when the
 * upstream fails (counted as an error of that variant). `/api/x` goes to `<upstream url>/x`.
 * Connections to upstreams are kept alive unless `proxy.agent` says otherwise.
 */
export function proxyByVariant(options: ExpressProxyOptions = {}): RequestHandler {
  const proxies = {
    http: createProxy(options, new HttpAgent({ keepAlive: true })),
    https: createProxy(options, new HttpsAgent({ keepAlive: true })),
  }
  const env = options.env ?? process.env
  return (req, res, next) => {
    const state = splitStateOf(req)
    const upstream = state?.upstream(options.experiment, req.splitlane, env)
    if (upstream === undefined || !upstream.ok) {
      if (upstream !== undefined) state!.report(upstream.error)
      res
        .status(502)
        .type('text')
        .send(upstream === undefined ? 'splitlane: request was not split' : 'splitlane: no upstream for this variant')
      return
    }
    ;(req as Targeted)[TARGET] = upstream
    void (upstream.url.startsWith('https:') ? proxies.https : proxies.http)(req, res, next)
  }
}

function createProxy(options: ExpressProxyOptions, agent: HttpAgent) {
  return createProxyMiddleware<Request, Response>({
    changeOrigin: true,
    xfwd: true,
    agent,
    ...options.proxy,
    router: (req) => (req as Targeted)[TARGET]!.url,
    on: {
      ...options.proxy?.on,
      proxyReq: (proxyReq, req, res, proxyOptions) => {
        for (const name of hopByHopHeaders(req.headers.connection)) proxyReq.removeHeader(name)
        for (const [name, value] of (req as Targeted)[TARGET]?.headers ?? []) proxyReq.setHeader(name, value)
        const header = splitStateOf(req)?.upstreamHeader
        if (header !== undefined) proxyReq.setHeader(header[0], header[1])
        options.proxy?.on?.proxyReq?.(proxyReq, req, res, proxyOptions)
      },
      proxyRes: (proxyRes, req, res) => {
        for (const name of hopByHopHeaders(proxyRes.headers.connection)) delete proxyRes.headers[name]
        options.proxy?.on?.proxyRes?.(proxyRes, req, res)
      },
    },
  })
}
