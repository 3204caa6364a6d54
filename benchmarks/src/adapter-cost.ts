// In-process cost of the adapters per request, without sockets or a load generator: each case's app
// answers requests injected with light-my-request (the same fake request/response for bare and
// splitlane), one after another, and cases alternate round by round. The difference from the bare
// case is what splitlane adds per request; far less noisy on a shared machine than req/s under load.
// Run: pnpm --filter @splitlane/benchmarks bench:adapter-cost
import { createExpressMiddleware } from '@splitlane/express'
import { splitlane } from '@splitlane/fastify'
import express from 'express'
import Fastify from 'fastify'
import inject from 'light-my-request'
import { benchAdapterOptions, FIRST_VISIT, RETURNING } from './adapter-fixtures.js'
import { median } from './harness.js'

type Send = (headers: Record<string, string>) => Promise<unknown>

export interface CostCase {
  name: string
  send: Send
  headers: Record<string, string>
}

export function expressApp(middleware?: express.RequestHandler): Send {
  const app = express()
  if (middleware !== undefined) app.use(middleware)
  app.get('/', (_req, res) => void res.send('Hello world'))
  return (headers) => inject(app, { url: '/', headers })
}

export async function fastifyApp(register?: (fastify: ReturnType<typeof Fastify>) => Promise<unknown>): Promise<Send> {
  const fastify = Fastify()
  if (register !== undefined) await register(fastify)
  fastify.get('/', (_request, reply) => reply.send('Hello world'))
  await fastify.ready()
  return (headers) => fastify.inject({ url: '/', headers })
}

export async function defaultCases(): Promise<CostCase[]> {
  const options = benchAdapterOptions()
  const expressSplit = expressApp(createExpressMiddleware(options))
  const fastifySplit = await fastifyApp((fastify) => fastify.register(splitlane, options))
  return [
    { name: 'express bare', send: expressApp(), headers: RETURNING },
    { name: 'express + splitlane, returning visitor', send: expressSplit, headers: RETURNING },
    { name: 'express + splitlane, first visit', send: expressSplit, headers: FIRST_VISIT },
    { name: 'fastify bare', send: await fastifyApp(), headers: RETURNING },
    { name: 'fastify + splitlane, returning visitor', send: fastifySplit, headers: RETURNING },
    { name: 'fastify + splitlane, first visit', send: fastifySplit, headers: FIRST_VISIT },
  ]
}

/** Median µs per request of each case over `rounds` rounds of `requests` sequential requests, cases alternating. */
export async function measureCost(cases: readonly CostCase[], rounds = 15, requests = 2000): Promise<Map<CostCase, number>> {
  const samples = new Map(cases.map((c) => [c, [] as number[]]))
  const runRound = async (c: CostCase, n: number) => {
    const start = performance.now()
    for (let i = 0; i < n; i++) await c.send(c.headers)
    return ((performance.now() - start) * 1000) / n
  }
  for (const c of cases) await runRound(c, requests)
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse()
    for (const c of order) samples.get(c)!.push(await runRound(c, requests))
  }
  return new Map(cases.map((c) => [c, median(samples.get(c)!)]))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = await defaultCases()
  const result = await measureCost(cases)
  for (const c of cases) console.log(`${c.name.padEnd(44)} ${result.get(c)!.toFixed(1).padStart(7)} µs/request`)
}
