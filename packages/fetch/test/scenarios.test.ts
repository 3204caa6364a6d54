import {
  outgoing,
  routedHandlers,
  runAdapterScenarios,
  runAttackRequestScenarios,
  runAttackUpstreamScenarios,
  undiciFetch,
  type AdapterFactory,
} from '@splitlane/test-utils'
import { assignmentsOf, byVariant, proxyByVariant, withSplitlane, type SplitlaneAssignments } from '../src/index.js'
import { serveFetch } from './node-server.js'

const summary = (assignments: SplitlaneAssignments) =>
  Object.fromEntries(
    Object.values(assignments).map(({ experiment, variant, reason, key, keyFrom }) => [experiment, { variant, reason, key, keyFrom }]),
  )

/** The scenario app as a Fetch handler, served by node:http through a tiny Request/Response adapter. */
const startFetch: AdapterFactory = async (spec) => {
  const routed = byVariant(
    routedHandlers(spec, { v1: () => new Response('routed:v1'), v2: () => new Response('routed:v2') }),
    () => new Response('routed:default'),
    { splitter: spec.options.splitter, experiment: spec.routedExperiment },
  )
  // undici 7's fetch: Node 20's own leaves an aborted call's connection open (see docs/adapters/fetch.md)
  const fetch = undiciFetch as unknown as typeof globalThis.fetch
  const proxies = spec.proxies.map(({ prefix, ...proxy }) => ({
    prefix,
    handler: proxyByVariant({ ...proxy, stripPrefix: prefix, fetch }),
  }))
  const app = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/assignments')
      return Response.json({ assignments: summary(assignmentsOf(request)), baggage: request.headers.get('baggage') })
    if (url.pathname === '/routed') return routed(request)
    if (url.pathname === '/boom') throw new Error('boom')
    if (url.pathname === '/outgoing')
      return new Response(await outgoing(url.searchParams.get('to')!), { headers: { 'content-type': 'application/json' } })
    const proxy = proxies.find(({ prefix }) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
    return proxy === undefined ? new Response('not found', { status: 404 }) : proxy.handler(request)
  }
  const getUser = (request: Request) => {
    const id = request.headers.get(spec.userHeader)
    return id === null ? undefined : { id }
  }
  return serveFetch(
    withSplitlane(app, { getUser, onHandlerError: () => new Response('failed', { status: 500 }), ...spec.options }),
    spec.wrap,
  )
}

runAdapterScenarios('fetch', startFetch)
runAttackRequestScenarios('fetch', startFetch)
runAttackUpstreamScenarios('fetch', startFetch)
