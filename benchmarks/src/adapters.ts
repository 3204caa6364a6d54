// Overhead of the adapters: bare Express vs Express + splitlane, bare Fastify vs Fastify +
// splitlane, on a hello-world route. Servers run in a child process; this process drives the load.
// Every round runs, per framework, bare and splitlane back to back (in a fresh order) under autocannon
// for throughput; req/s and CPU targets use the median of these paired, same-round comparisons, which
// a noisy shared machine disturbs far less than comparing each case's own median. Latency comes from a
// one-connection probe timed with performance.now() (autocannon's histogram has 1 ms resolution) that
// alternates the cases request by request, so a pause of the machine hits them alike; p50 and p99 are
// over all rounds' probe requests.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { FIRST_VISIT, RETURNING } from './adapter-fixtures.js'
import { median } from './harness.js'

export const ADAPTER_BENCH = { rounds: 9, loadSeconds: 1, connections: 32, probeRequests: 500, warmupSeconds: 2 }
const CASES = [
  'express-bare',
  'express-header-only',
  'express-splitlane',
  'express-splitlane-first-visit',
  'fastify-bare',
  'fastify-header-only',
  'fastify-splitlane',
  'fastify-splitlane-first-visit',
] as const
export type AdapterCase = (typeof CASES)[number]
type Framework = 'express' | 'fastify'
type Server = `${Framework}-${'bare' | 'header-only' | 'splitlane'}`

export interface AdapterPair {
  framework: Framework
  /** A returning visitor (cookie and user id) or a first visit (neither: an id is minted and Set-Cookie sent). */
  visitor: 'returning' | 'first visit'
  /** Median over rounds of 1 - splitlane req/s / bare req/s, measured back to back. */
  drop: number
  /** splitlane p99 - bare p99 (ms), over every round's probe requests (the cases alternated request by request). */
  addedP99Ms: number
  /** Median over rounds of the server CPU time per request added over bare (µs), and that of the header-only hook. */
  addedCpuUs: number
  floorCpuUs: number
  /** Median server CPU time per request of the bare server (µs). */
  bareCpuUs: number
}

export interface AdapterRow {
  id: AdapterCase
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  /** Server CPU time per request under load (µs): what the server spends, whichever side limits throughput. */
  cpuUs: number
  samples: { reqPerSec: number[] }
}

const headersOf = (id: AdapterCase) => (id.endsWith('-first-visit') ? FIRST_VISIT : RETURNING)
const serverOf = (id: AdapterCase) => id.replace('-first-visit', '') as Server

async function load(url: string, seconds: number, headers: Record<string, string>): Promise<{ reqPerSec: number; total: number }> {
  const result = await autocannon({ url, connections: ADAPTER_BENCH.connections, duration: seconds, headers })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  return { reqPerSec: result.requests.average, total: result.requests.total }
}

/** Sequential requests on one connection per case, the cases alternated request by request (order reversed each turn). */
async function probe(
  cases: readonly AdapterCase[],
  urlOf: (id: AdapterCase) => string,
  requests: number,
): Promise<Map<AdapterCase, number[]>> {
  const times = new Map(cases.map((id) => [id, [] as number[]]))
  for (let i = 0; i < requests; i++) {
    for (const id of i % 2 === 0 ? cases : [...cases].reverse()) {
      const start = performance.now()
      const response = await fetch(urlOf(id), { headers: headersOf(id) })
      await response.arrayBuffer()
      times.get(id)!.push(performance.now() - start)
    }
  }
  return times
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

export async function measureAdapters(log: (message: string) => void): Promise<{ rows: AdapterRow[]; pairs: AdapterPair[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('adapter-servers.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer]
    const urls = JSON.parse(line.toString()) as Record<Server, string>
    const serverCpuUs = async () => {
      child.stdin.write('\n')
      const [answer] = (await once(child.stdout, 'data')) as [Buffer]
      return Number(answer.toString())
    }
    const urlOf = (id: AdapterCase) => urls[serverOf(id)]
    for (const id of CASES) await load(urlOf(id), ADAPTER_BENCH.warmupSeconds, headersOf(id))
    log('adapters: warmed up')
    const samples = new Map(CASES.map((id) => [id, { reqPerSec: [] as number[], latencyMs: [] as number[], cpuUs: [] as number[] }]))
    const pairedIds = CASES.filter((id) => id.includes('-splitlane'))
    const paired = new Map(pairedIds.map((id) => [id, { drop: [] as number[], addedCpuUs: [] as number[] }]))
    const floor = new Map((['express', 'fastify'] as const).map((framework) => [framework, [] as number[]]))
    for (let round = 0; round < ADAPTER_BENCH.rounds; round++) {
      for (const framework of shuffled(['express', 'fastify'] as const, 0x9e3779b9 + round)) {
        const ids = CASES.filter((id) => id.startsWith(`${framework}-`))
        for (const id of shuffled(ids, 0x85ebca6b + round)) {
          const sample = samples.get(id)!
          const cpuBefore = await serverCpuUs()
          const { reqPerSec, total } = await load(urlOf(id), ADAPTER_BENCH.loadSeconds, headersOf(id))
          sample.cpuUs.push(((await serverCpuUs()) - cpuBefore) / total)
          sample.reqPerSec.push(reqPerSec)
        }
        for (const [id, times] of await probe(shuffled(ids, 0xc2b2ae35 + round), urlOf, ADAPTER_BENCH.probeRequests))
          samples.get(id)!.latencyMs.push(...times)
        const bare = samples.get(`${framework}-bare`)!
        for (const id of pairedIds.filter((pairedId) => pairedId.startsWith(`${framework}-`))) {
          const split = samples.get(id)!
          paired.get(id)!.drop.push(1 - split.reqPerSec.at(-1)! / bare.reqPerSec.at(-1)!)
          paired.get(id)!.addedCpuUs.push(split.cpuUs.at(-1)! - bare.cpuUs.at(-1)!)
        }
        floor.get(framework)!.push(samples.get(`${framework}-header-only`)!.cpuUs.at(-1)! - bare.cpuUs.at(-1)!)
      }
      log(`adapters: round ${round + 1}/${ADAPTER_BENCH.rounds}`)
    }
    const rows = CASES.map((id) => {
      const sample = samples.get(id)!
      const latencies = [...sample.latencyMs].sort((a, b) => a - b)
      return {
        id,
        reqPerSec: median(sample.reqPerSec),
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        cpuUs: median(sample.cpuUs),
        samples: { reqPerSec: sample.reqPerSec },
      }
    })
    const p99Of = (id: AdapterCase) => rows.find((row) => row.id === id)!.p99Ms
    const pairs = pairedIds.map((id) => {
      const framework = serverOf(id).split('-')[0] as Framework
      return {
        framework,
        visitor: id.endsWith('-first-visit') ? ('first visit' as const) : ('returning' as const),
        drop: median(paired.get(id)!.drop),
        addedP99Ms: p99Of(id) - p99Of(`${framework}-bare`),
        addedCpuUs: median(paired.get(id)!.addedCpuUs),
        floorCpuUs: median(floor.get(framework)!),
        bareCpuUs: median(samples.get(`${framework}-bare`)!.cpuUs),
      }
    })
    return { rows, pairs }
  } finally {
    child.kill()
  }
}
