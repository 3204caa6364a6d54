// What the registered names (src/splitlane.d.ts, written by `splitlane types config.yaml`) type, in every
// adapter, for a config loaded at run time. Checked by this example's typecheck (part of `pnpm test`).
import { createSplitter, type Assignment, type SplitlaneConfig } from '@splitlane/core'
import { byVariant as expressByVariant, proxyByVariant as expressProxy } from '@splitlane/express'
import { proxyByVariant as fastifyProxy, type SplitlaneRouteConfig } from '@splitlane/fastify'
import { assignmentsOf, byVariant as fetchByVariant } from '@splitlane/fetch'
import type { Request, RequestHandler } from 'express'
import Fastify from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'

const splitter = createSplitter({ config: JSON.parse('{}') as SplitlaneConfig })
const send: RequestHandler = (_req, res) => void res.send('ok')
const reply = () => new Response('ok')

describe('names registered by splitlane types', () => {
  it('type the splitter made from a config loaded at run time', () => {
    expectTypeOf(splitter.assign('checkout').variant).toEqualTypeOf<'stable' | 'canary' | null>()
    expectTypeOf(splitter.variantOf('search', 'k')).toEqualTypeOf<'bm25' | 'vector' | null>()
    // @ts-expect-error "chekout" is no experiment of config.yaml
    splitter.assign('chekout')
  })

  it('type each request’s assignments: Express req.splitlane, Fetch assignmentsOf', () => {
    expectTypeOf<Request['splitlane']>().toEqualTypeOf<
      Readonly<{ checkout?: Assignment<'checkout', 'stable' | 'canary'>; search?: Assignment<'search', 'bm25' | 'vector'> }> | undefined
    >()
    expectTypeOf(assignmentsOf(new Request('http://x/')).search).toEqualTypeOf<Assignment<'search', 'bm25' | 'vector'> | undefined>()
  })

  it('check byVariant handler maps and proxies’ experiments', () => {
    expressByVariant({ control: send, canary: send }, { splitter, experiment: 'checkout' })
    fetchByVariant({ vector: reply }, reply, { splitter, experiment: 'search' })
    // @ts-expect-error "vector" is a variant of search, not of checkout
    expressByVariant({ vector: send }, { splitter, experiment: 'checkout' })
    expressProxy({ experiment: 'checkout' })
    // @ts-expect-error "chekout" is no experiment of config.yaml
    expressProxy({ experiment: 'chekout' })
  })

  it('check Fastify route options and the proxy', async () => {
    const fastify = Fastify()
    // Fastify infers a route's config type from the literal: `satisfies` makes TypeScript check it.
    const search = { experiment: 'search', variants: { vector: () => 'v' } } satisfies SplitlaneRouteConfig
    fastify.get('/search', { config: { splitlane: search } }, () => 'k')
    // @ts-expect-error "canary" is a variant of checkout, not of search
    void ({ experiment: 'search', variants: { canary: () => 'c' } } satisfies SplitlaneRouteConfig)
    // @ts-expect-error "serch" is no experiment of config.yaml (checked even without `satisfies`)
    fastify.get('/s', { config: { splitlane: { experiment: 'serch' } } }, () => 'k')
    await fastify.register(fastifyProxy, { prefix: '/api', experiment: 'checkout' })
    // @ts-expect-error "serch" is no experiment of config.yaml
    await fastify.register(fastifyProxy, { prefix: '/api', experiment: 'serch' })
  })
})
