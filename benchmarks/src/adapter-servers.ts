// Child process for the adapter benchmark: hello-world servers on 127.0.0.1 for Express and Fastify,
// bare, with a no-op hook that only sets the variant header (the floor any such middleware pays),
// and with splitlane. Prints their URLs as one JSON line, then answers each stdin line with its CPU
// time so far (µs), and serves until killed.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createExpressMiddleware } from '@splitlane/express'
import { splitlane } from '@splitlane/fastify'
import express from 'express'
import Fastify from 'fastify'
import { benchAdapterOptions } from './adapter-fixtures.js'

const options = benchAdapterOptions()

const VARIANT_HEADER = ['splitlane-variant', 'helloworld=v3'] as const
type Kind = 'bare' | 'header-only' | 'splitlane'

async function expressServer(kind: Kind): Promise<string> {
  const app = express()
  if (kind === 'splitlane') app.use(createExpressMiddleware(options))
  if (kind === 'header-only')
    app.use((_req, res, next) => {
      res.setHeader(...VARIANT_HEADER)
      next()
    })
  app.get('/', (_req, res) => void res.send('Hello world'))
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

async function fastifyServer(kind: Kind): Promise<string> {
  const fastify = Fastify()
  if (kind === 'splitlane') await fastify.register(splitlane, options)
  if (kind === 'header-only')
    fastify.addHook('onRequest', (_request, reply, next) => {
      void reply.header(...VARIANT_HEADER)
      next()
    })
  fastify.get('/', (_request, reply) => reply.send('Hello world'))
  return `${await fastify.listen({ port: 0, host: '127.0.0.1' })}/`
}

const urls = {
  'express-bare': await expressServer('bare'),
  'express-header-only': await expressServer('header-only'),
  'express-splitlane': await expressServer('splitlane'),
  'fastify-bare': await fastifyServer('bare'),
  'fastify-header-only': await fastifyServer('header-only'),
  'fastify-splitlane': await fastifyServer('splitlane'),
}
console.log(JSON.stringify(urls))
process.stdin.on('data', () => {
  const { user, system } = process.cpuUsage()
  console.log(user + system)
})
