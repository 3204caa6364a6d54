// Overhead of the adapters: bare Express vs Express + splitlane, bare Fastify vs Fastify +
// splitlane, on a hello-world route. Servers run in a child process; this process drives the load.
// Every round runs every case (in a fresh order): autocannon for throughput, then a one-connection
// latency probe timed with performance.now() (autocannon's histogram has 1 ms resolution).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { median } from './harness.js'

export const ADAPTER_BENCH = { rounds: 5, loadSeconds: 2, connections: 32, probeRequests: 1000, warmupSeconds: 2 }
const CASES = ['express-bare', 'express-splitlane', 'fastify-bare', 'fastify-splitlane'] as const
export type AdapterCase = (typeof CASES)[number]

export interface AdapterRow {
  id: AdapterCase
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  samples: { reqPerSec: number[]; p99Ms: number[] }
}

/** A returning visitor: a sticky cookie and a user id, the same for every request. */
const HEADERS = { cookie: 'splitlane_id=3f2c9a7e-bench', 'x-user-id': 'user-42' }

async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: ADAPTER_BENCH.connections, duration: seconds, headers: HEADERS })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  return result.requests.average
}

async function probe(url: string, requests: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < requests; i++) {
    const start = performance.now()
    const response = await fetch(url, { headers: HEADERS })
    await response.arrayBuffer()
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32
  const order = [...items]
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}

export async function measureAdapters(log: (message: string) => void): Promise<AdapterRow[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('adapter-servers.ts', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer]
    const urls = JSON.parse(line.toString()) as Record<AdapterCase, string>
    for (const id of CASES) await load(urls[id], ADAPTER_BENCH.warmupSeconds)
    log('adapters: warmed up')
    const samples = new Map(CASES.map((id) => [id, { reqPerSec: [] as number[], p50Ms: [] as number[], p99Ms: [] as number[] }]))
    for (let round = 0; round < ADAPTER_BENCH.rounds; round++) {
      for (const id of shuffled(CASES, 0x9e3779b9 + round)) {
        const sample = samples.get(id)!
        sample.reqPerSec.push(await load(urls[id], ADAPTER_BENCH.loadSeconds))
        const times = await probe(urls[id], ADAPTER_BENCH.probeRequests)
        sample.p50Ms.push(quantile(times, 0.5))
        sample.p99Ms.push(quantile(times, 0.99))
      }
      log(`adapters: round ${round + 1}/${ADAPTER_BENCH.rounds}`)
    }
    return CASES.map((id) => {
      const sample = samples.get(id)!
      return { id, reqPerSec: median(sample.reqPerSec), p50Ms: median(sample.p50Ms), p99Ms: median(sample.p99Ms), samples: sample }
    })
  } finally {
    child.kill()
  }
}
