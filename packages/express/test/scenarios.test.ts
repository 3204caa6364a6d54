import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  closeServer,
  outgoing,
  routedHandlers,
  runAdapterScenarios,
  runAttackRequestScenarios,
  runAttackUpstreamScenarios,
  type AdapterFactory,
} from '@splitlane/test-utils'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { byVariant, splitlane, proxyByVariant, type SplitlaneAssignments } from '../src/index.js'

const summary = (assignments: SplitlaneAssignments | undefined) =>
  Object.fromEntries(
    Object.values(assignments ?? {}).map(({ experiment, variant, reason, key, keyFrom }) => [
      experiment,
      { variant, reason, key, keyFrom },
    ]),
  )

const startExpress: AdapterFactory = async (spec) => {
  const app = express()
  app.use((req, _res, next) => {
    const id = req.headers[spec.userHeader]
    if (typeof id === 'string') (req as { user?: unknown }).user = { id }
    next()
  })
  app.use(splitlane(spec.options))
  app.get('/assignments', (req, res) => {
    res.json({ assignments: summary(req.splitlane), baggage: req.headers.baggage ?? null })
  })
  app.get(
    '/routed',
    byVariant(
      routedHandlers<RequestHandler>(spec, {
        v1: (_req, res) => void res.send('routed:v1'),
        v2: (_req, res) => void res.send('routed:v2'),
      }),
      { splitter: spec.options.splitter, experiment: spec.routedExperiment },
    ),
    (_req, res) => void res.send('routed:default'),
  )
  app.get('/boom', () => {
    throw new Error('boom')
  })
  app.get('/outgoing', async (req, res) => {
    res.type('json').send(await outgoing(req.query['to'] as string))
  })
  for (const { prefix, ...proxy } of spec.proxies) app.use(prefix, proxyByVariant(proxy))
  const quietErrors: ErrorRequestHandler = (_error, _req, res, _next) => void res.status(500).send('failed')
  app.use(quietErrors)

  const server = createServer((req, res) => (spec.wrap ? spec.wrap(req, res, () => app(req, res)) : app(req, res)))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) }
}

runAdapterScenarios('express', startExpress)
runAttackRequestScenarios('express', startExpress)
runAttackUpstreamScenarios('express', startExpress)
