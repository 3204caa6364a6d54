// Child process for the adapter benchmark: four hello-world servers on 127.0.0.1, bare and with
// splitlane, for Express and Fastify. Prints their URLs as one JSON line, then serves until killed.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createExpressMiddleware } from '@splitlane/express'
import { splitlane } from '@splitlane/fastify'
import express from 'express'
import Fastify from 'fastify'

const splitter = createSplitter({
  config: {
    version: 1,
    experiments: {
      helloworld: {
        variants: [
          { name: 'v1', weight: 10 },
          { name: 'v2', weight: 10 },
          { name: 'v3', weight: 80 },
        ],
      },
    },
  },
})
const options = { splitter, metrics: createMetricsRecorder(), userIdHeader: 'x-user-id' }

async function expressServer(withSplitlane: boolean): Promise<string> {
  const app = express()
  if (withSplitlane) app.use(createExpressMiddleware(options))
  app.get('/', (_req, res) => void res.send('Hello world'))
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

async function fastifyServer(withSplitlane: boolean): Promise<string> {
  const fastify = Fastify()
  if (withSplitlane) await fastify.register(splitlane, options)
  fastify.get('/', (_request, reply) => reply.send('Hello world'))
  return `${await fastify.listen({ port: 0, host: '127.0.0.1' })}/`
}

const urls = {
  'express-bare': await expressServer(false),
  'express-splitlane': await expressServer(true),
  'fastify-bare': await fastifyServer(false),
  'fastify-splitlane': await fastifyServer(true),
}
console.log(JSON.stringify(urls))
