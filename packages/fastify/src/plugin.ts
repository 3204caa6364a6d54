// The Fastify plugin: translate the request for core, hand off, store the assignments.
import { randomUUID } from 'node:crypto'
import cookieSignature from 'cookie-signature'
import { performance } from 'node:perf_hooks'
import { ErrorCode, SplitlaneError } from '@splitlane/core'
import {
  addScope,
  createHttpSplit,
  createVariantHandlers,
  type HttpSplit,
  type RequestSplit,
  type SplitScopes,
  type VariantHandlers,
} from '@splitlane/core/adapter'
import type { FastifyPluginCallback, FastifyRequest, RouteHandlerMethod } from 'fastify'
import fp from 'fastify-plugin'
import type { FastifySplitlaneOptions } from './types.js'
import { FastifyView } from './view.js'

// A decorated slot rather than a WeakMap: a WeakMap entry per request costs the garbage collector dearly.
const STATE = Symbol('splitlane.fastify.state')
// The scopes (experiment lists) already split on this request: registered twice, the second pass is skipped.
const SPLIT_FOR = Symbol('splitlane.fastify.splitFor')
type WithState = FastifyRequest & { [STATE]: RequestSplit | null; [SPLIT_FOR]: SplitScopes | null }
/** The split of the request, for proxy mode. */
export const splitStateOf = (request: FastifyRequest): RequestSplit | undefined => (request as WithState)[STATE] ?? undefined

const ROUTED = Symbol('splitlane.fastify.routed')

/** The route's handler, chosen per request by the variant (`config.splitlane.variants`). */
function byVariant(route: VariantHandlers<RouteHandlerMethod>, fallback: RouteHandlerMethod): RouteHandlerMethod {
  const routed = function (this: ThisParameterType<RouteHandlerMethod>, ...args: Parameters<RouteHandlerMethod>) {
    const state = splitStateOf(args[0])
    const handler = route.pick(args[0].splitlane ?? {}, (error) => state?.report(error))
    if (handler instanceof SplitlaneError) {
      state?.report(handler)
      throw handler // never serve one variant while the header names another
    }
    return (handler ?? fallback).apply(this, args)
  } as RouteHandlerMethod
  return Object.assign(routed, { [ROUTED]: true })
}

const plugin: FastifyPluginCallback<FastifySplitlaneOptions> = (fastify, options, done) => {
  let split: HttpSplit<FastifyRequest>
  try {
    split = createHttpSplit<FastifyRequest>({
      randomId: randomUUID,
      now: () => performance.now(),
      clock: Date.now,
      cookieSignature,
      cookieSecretFromEnv: process.env['SPLITLANE_COOKIE_SECRET'],
      ...options,
    })
  } catch (error) {
    // Thrown from a callback plugin, it escapes avvio as an uncaught exception and register() never settles.
    return done(error as Error)
  }
  const report = split.report
  // Registered again (an encapsulated plugin too): the decorators are inherited, and the second pass is skipped per request.
  if (!fastify.hasRequestDecorator('splitlane')) {
    fastify.decorateRequest('splitlane', null)
    fastify.decorateRequest(STATE as unknown as string, null)
    fastify.decorateRequest(SPLIT_FOR as unknown as string, null)
  }

  fastify.addHook('onRoute', (route) => {
    const config = route.config?.splitlane
    if (config?.variants === undefined || ROUTED in route.handler) return
    // Checked now, against the config in force: a route that cannot be routed right fails at startup.
    const variantRoute = createVariantHandlers<RouteHandlerMethod>({
      splitter: options.splitter,
      handlers: config.variants,
      experiment: config.experiment,
      candidates: config.experiments ?? options.experiments,
      where: `route ${route.url} variants`,
    })
    route.handler = byVariant(variantRoute, route.handler)
  })

  fastify.addHook('onRequest', (request, reply, next) => {
    const experiments = request.routeOptions.config.splitlane?.experiments
    const scope = (experiments ?? options.experiments)?.join(',') ?? '*'
    const scopes = addScope((request as WithState)[SPLIT_FOR], scope)
    if (scopes === undefined) return next()
    ;(request as WithState)[SPLIT_FOR] = scopes
    try {
      const state = split.begin(request, new FastifyView(request), experiments)
      request.splitlane = request.splitlane === null ? state.assignments : { ...request.splitlane, ...state.assignments }
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
