import v8 from 'node:v8'
import express from 'express'
import Fastify from 'fastify'
import inject from 'light-my-request'
import { createSplitter, createMetricsRecorder } from '@splitlane/core'
import { splitlane as expressSplit } from '@splitlane/express'
import { splitlane as fastifySplit } from '@splitlane/fastify'
import { withSplitlane } from '@splitlane/fetch'
import { expressFloor, fastifyFloor, fetchFloor } from './adapter-floor.js'
import { BENCH_COOKIE_SECRET, FIRST_VISIT, RETURNING } from './adapter-fixtures.js'
const CONFIG = { version: 1 as const, experiments: { helloworld: { variants: [{ name: 'v1', weight: 10 }, { name: 'v2', weight: 10 }, { name: 'v3', weight: 80 }] } } }
const opts = () => ({ splitter: createSplitter({ config: CONFIG }), metrics: createMetricsRecorder(), userIdHeader: 'x-user-id', cookie: { secret: BENCH_COOKIE_SECRET } })
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size
function ex(mw?: express.RequestHandler) { const app = express(); if (mw) app.use(mw); app.get('/', (_q, r) => void r.send('Hello world')); return (h: Record<string, string>) => inject(app, { url: '/', headers: h }) }
async function fa(reg?: (f: any) => unknown) { const f = Fastify(); if (reg) await reg(f); f.get('/', (_q, r) => r.send('Hello world')); await f.ready(); return (h: Record<string, string>) => f.inject({ url: '/', headers: h }) }
const hello = () => new Response('Hello world')
const fe = (h: (r: Request) => Response | Promise<Response>) => async (headers: Record<string, string>) => { const res = await h(new Request('http://localhost/', { headers })); await res.arrayBuffer() }
const cases: Record<string, (h: Record<string, string>) => Promise<unknown>> = {
  'express bare': ex(), 'express floor': ex(expressFloor), 'express split': ex(expressSplit(opts())),
  'fastify bare': await fa(), 'fastify floor': await fa(fastifyFloor), 'fastify split': await fa((f) => f.register(fastifySplit, opts())),
  'fetch bare': fe(hello), 'fetch floor': fe(fetchFloor(hello)), 'fetch split': fe(withSplitlane(hello, opts())),
}
for (const [visitor, headers] of [['returning', RETURNING], ['first', FIRST_VISIT]] as const) {
  for (const [name, send] of Object.entries(cases)) {
    for (let i = 0; i < 3000; i++) await send(headers)
    const results: number[] = []
    for (let r = 0; r < 5; r++) {
      ;(globalThis as any).gc()
      const before = newSpace()
      for (let i = 0; i < 500; i++) await send(headers)
      results.push((newSpace() - before) / 500)
    }
    results.sort((a, b) => a - b)
    console.log(visitor.padEnd(10), name.padEnd(14), Math.round(results[2]!), 'B/request')
  }
}
