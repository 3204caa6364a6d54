import { createServer } from 'node:http'
import {
  outgoing,
  routedHandlers,
  runAdapterScenarios,
  runAttackRequestScenarios,
  runAttackUpstreamScenarios,
  type AdapterFactory,
} from '@splitlane/test-utils'
import Fastify, { type RouteHandlerMethod } from 'fastify'
import { splitlane, proxyByVariant, type SplitlaneAssignments } from '../src/index.js'

const summary = (assignments: SplitlaneAssignments | null) =>
  Object.fromEntries(
    Object.values(assignments ?? {}).map(({ experiment, variant, reason, key, keyFrom }) => [
      experiment,
      { variant, reason, key, keyFrom },
    ]),
  )

const startFastify: AdapterFactory = async (spec) => {
  const fastify = Fastify({
    serverFactory: (handler) => createServer((req, res) => (spec.wrap ? spec.wrap(req, res, () => handler(req, res)) : handler(req, res))),
  })
  fastify.addHook('onRequest', (request, _reply, next) => {
    const id = request.headers[spec.userHeader]
    if (typeof id === 'string') (request as { user?: unknown }).user = { id }
    next()
  })
  await fastify.register(splitlane, spec.options)
  fastify.get('/assignments', (request) => ({ assignments: summary(request.splitlane), baggage: request.headers.baggage ?? null }))
  fastify.get(
    '/routed',
    {
      config: {
        splitlane: {
          experiment: spec.routedExperiment,
          variants: routedHandlers<RouteHandlerMethod>(spec, {
            v1: (_request, reply) => reply.send('routed:v1'),
            v2: (_request, reply) => reply.send('routed:v2'),
          }),
        },
      },
    },
    (_request, reply) => reply.send('routed:default'),
  )
  fastify.get('/boom', () => {
    throw new Error('boom')
  })
  fastify.get<{ Querystring: { to: string } }>('/outgoing', async (request, reply) =>
    reply.type('application/json').send(await outgoing(request.query.to)),
  )
  for (const proxy of spec.proxies) await fastify.register(proxyByVariant, { ...proxy, stripPrefix: true })
  const url = await fastify.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => fastify.close() }
}

runAdapterScenarios('fastify', startFastify)
runAttackRequestScenarios('fastify', startFastify)
runAttackUpstreamScenarios('fastify', startFastify)
