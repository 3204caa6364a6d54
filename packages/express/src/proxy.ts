// Proxy mode: forward the request, body streamed, to the variant's upstream URL (its `value`).
import { hopByHopHeaders } from '@splitlane/core'
import type { Request, RequestHandler, Response } from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { splitStateOf } from './middleware.js'
import type { ExpressProxyOptions } from './types.js'

const TARGET = Symbol.for('splitlane.express.target')
type Targeted = Request & { [TARGET]?: string }

/**
 * `app.use('/api', proxyByVariant({ experiment: 'backend' }))`, after `createExpressMiddleware`.
 * Streams both ways (do not put a body parser before it), drops hop-by-hop headers, forwards the
 * variant header, and answers 502 when the upstream fails (counted as an error of that variant).
 */
export function proxyByVariant(options: ExpressProxyOptions = {}): RequestHandler {
  const proxy = createProxyMiddleware<Request, Response>({
    changeOrigin: true,
    xfwd: true,
    ...options.proxy,
    router: (req) => (req as Targeted)[TARGET]!,
    on: {
      ...options.proxy?.on,
      proxyReq: (proxyReq, req, res, proxyOptions) => {
        for (const name of hopByHopHeaders(req.headers.connection)) if (name !== 'connection') proxyReq.removeHeader(name)
        const header = splitStateOf(req)?.request.upstreamHeader
        if (header !== undefined) proxyReq.setHeader(header[0], header[1])
        options.proxy?.on?.proxyReq?.(proxyReq, req, res, proxyOptions)
      },
      proxyRes: (proxyRes, req, res) => {
        for (const name of hopByHopHeaders(proxyRes.headers.connection)) delete proxyRes.headers[name]
        options.proxy?.on?.proxyRes?.(proxyRes, req, res)
      },
    },
  })
  return (req, res, next) => {
    const state = splitStateOf(req)
    const upstream = state?.upstream(options.experiment)
    if (upstream === undefined || !upstream.ok) {
      if (upstream !== undefined) state!.report(upstream.error)
      res
        .status(502)
        .type('text')
        .send(upstream === undefined ? 'splitlane: request was not split' : 'splitlane: no upstream for this variant')
      return
    }
    ;(req as Targeted)[TARGET] = upstream.url
    void proxy(req, res, next)
  }
}
