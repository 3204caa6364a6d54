// A checkout canary on Fastify. The sticky cookie is signed with SPLITLANE_COOKIE_SECRET (without it the
// adapter refuses to start):
//   SPLITLANE_COOKIE_SECRET=$(openssl rand -base64 32) pnpm --filter @splitlane/example-fastify start
// then
//   curl -i localhost:3000/checkout                       (a new visitor: sticky cookie set)
//   curl -i -H 'x-user-id: qa-canary' localhost:3000/checkout   (forced into the canary by config)
//   curl localhost:3000/metrics                           (per-variant requests, errors, latency)
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { splitlane } from '@splitlane/fastify'
import Fastify from 'fastify'

const splitter = createSplitter({
  config: {
    version: 1,
    revision: 1,
    experiments: {
      checkout: {
        variants: [
          { name: 'stable', weight: 90 },
          { name: 'canary', weight: 10 },
        ],
        overrides: { 'qa-canary': 'canary' },
      },
    },
  },
})
const metrics = createMetricsRecorder()

const fastify = Fastify()
await fastify.register(splitlane, {
  splitter,
  metrics,
  userIdHeader: 'x-user-id', // set by your gateway; otherwise a sticky cookie keeps each visitor's variant
  onError: (error) => console.warn(error.code, error.message), // the request goes on with control
})
fastify.get(
  '/checkout',
  {
    config: {
      splitlane: {
        experiment: 'checkout', // required once the config has several experiments
        variants: { canary: (request, reply) => reply.send(`the new checkout (${request.splitlane?.['checkout']?.reason})`) },
      },
    },
  },
  (_request, reply) => reply.send('the checkout you know'), // every other variant
)
fastify.get('/metrics', () => metrics.snapshot())

const url = await fastify.listen({ port: Number(process.env['PORT'] ?? 3000), host: '127.0.0.1' })
console.log(`listening on ${url}`)
