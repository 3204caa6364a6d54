// The Fastify plugin: translate the request for core, hand off, store the assignments.
import { randomUUID } from 'node:crypto'
import cookieSignature from 'cookie-signature'
import { performance } from 'node:perf_hooks'
import { ErrorCode, SplitlaneError, createHttpSplit, pickAssignment, type RequestSplit, type RequestView } from '@splitlane/core'
import type { FastifyPluginCallback, FastifyRequest, RouteHandlerMethod } from 'fastify'
import fp from 'fastify-plugin'
import type { FastifySplitlaneOptions } from './types.js'

// A decorated slot rather than a WeakMap: a WeakMap entry per request costs the garbage collector dearly.
const STATE = Symbol('splitlane.fastify.state')
type WithState = FastifyRequest & { [STATE]: RequestSplit | null }
/** The split of the request, for proxy mode. */
export const splitStateOf = (request: FastifyRequest): RequestSplit | undefined => (request as WithState)[STATE] ?? undefined

const pathOf = (url: string) => {
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

function viewOf(request: FastifyRequest): RequestView {
  return {
    header: (name) => request.headers[name],
    ip: () => request.ip,
    path: () => pathOf(request.url),
    user: () => (request as { user?: unknown }).user,
    secure: () => request.protocol === 'https',
    query: (name) => (request.query as Record<string, unknown> | undefined)?.[name],
  }
}

/** The route's handler, chosen per request by the variant (`config.splitlane.variants`). */
function byVariant(variants: Readonly<Record<string, RouteHandlerMethod>>, experiment: string | undefined, fallback: RouteHandlerMethod) {
  return function (this: ThisParameterType<RouteHandlerMethod>, ...args: Parameters<RouteHandlerMethod>) {
    const assignments = args[0].splitlane ?? {}
    if (experiment === undefined && Object.keys(assignments).length > 1) {
      const error = new SplitlaneError(
        ErrorCode.OptionsInvalid,
        `route variants: several experiments (${Object.keys(assignments).join(', ')}); set config.splitlane.experiment`,
      )
      splitStateOf(args[0])?.report(error)
      throw error // never serve one variant while the header names another
    }
    const variant = pickAssignment(assignments, experiment)?.variant
    const handler = variant !== null && variant !== undefined && Object.hasOwn(variants, variant) ? variants[variant]! : fallback
    return handler.apply(this, args)
  } as RouteHandlerMethod
}

const plugin: FastifyPluginCallback<FastifySplitlaneOptions> = (fastify, options, done) => {
  const split = createHttpSplit<FastifyRequest>({
    randomId: randomUUID,
    now: () => performance.now(),
    clock: Date.now,
    cookieSignature,
    ...options,
  })
  const report = split.report
  fastify.decorateRequest('splitlane', null)
  fastify.decorateRequest(STATE as unknown as string, null)

  fastify.addHook('onRoute', (route) => {
    const config = route.config?.splitlane
    if (config?.variants !== undefined) route.handler = byVariant(config.variants, config.experiment, route.handler)
  })

  fastify.addHook('onRequest', (request, reply, next) => {
    try {
      const state = split.begin(request, viewOf(request), request.routeOptions.config.splitlane?.experiments)
      request.splitlane = state.assignments
      ;(request as WithState)[STATE] = state
      for (const [name, value] of state.responseHeaders) void reply.header(name, value)
      // One listener instead of onResponse and onRequestAbort hooks: 'close' follows 'finish' when the
      // response was sent, and comes alone when the client went away (finish ignores repeats).
      const raw = reply.raw
      raw.on('close', () => state.finish(raw.writableFinished ? { status: raw.statusCode } : { error: true }))
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.Internal, 'the Fastify adapter failed; the request goes on unsplit', { cause }))
    }
    next()
  })
  // After body parsing, so the handler (and calls it makes) run in the context carrying the variants.
  if (options.otel?.run !== undefined)
    fastify.addHook('preHandler', (request, _reply, next) => {
      const state = splitStateOf(request)
      if (state === undefined) next()
      else state.run(next)
    })
  done()
}

/** `fastify.register(splitlane, { splitter })`: every request gets its assignments in `request.splitlane`. */
export const splitlane = fp(plugin, { fastify: '5.x', name: '@splitlane/fastify' })
