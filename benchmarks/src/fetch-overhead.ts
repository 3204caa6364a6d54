// createSplitFetch against plain fetch to the same local upstream (a child process), alternated
// call by call in one run; and the primary's latency with and without a shadow that never answers.
import { fork, type ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createSplitter } from '@splitlane/core'
import { createSplitFetch } from '@splitlane/fetch'

const CALLS = 4000
const WARMUP_CALLS = 500

const UPSTREAM = `
const { createServer } = require('node:http')
const hello = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('hello world') })
const hanging = createServer(() => {})
hello.keepAliveTimeout = 60000
hello.listen(0, '127.0.0.1', () => hanging.listen(0, '127.0.0.1', () => process.send({ hello: hello.address().port, hanging: hanging.address().port })))
`

export interface FetchOverhead {
  calls: number
  plain: Summary
  split: Summary
  /** `split / plain - 1` at the median. */
  overheadAtMedian: number
  noShadow: Summary
  hangingShadow: Summary
  shadowStats: { sent: number; dropped: number; timedOut: number }
  /** What createSplitFetch adds per call in CPU, measured against a fetch that answers at once (no I/O). */
  inProcessUs: number
}

interface Summary {
  medianUs: number
  p99Us: number
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const summary = (samples: number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b)
  return { medianUs: quantile(sorted, 0.5) * 1000, p99Us: quantile(sorted, 0.99) * 1000 }
}

async function startUpstream(): Promise<{ child: ChildProcess; hello: string; hanging: string }> {
  const child = fork('-e', [UPSTREAM], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const ports = await new Promise<{ hello: number; hanging: number }>((resolve) =>
    child.once('message', resolve as (value: unknown) => void),
  )
  return { child, hello: `http://127.0.0.1:${ports.hello}`, hanging: `http://127.0.0.1:${ports.hanging}` }
}

/** Runs `a` and `b` alternately (order flipped every call) and returns each one's latencies in ms. */
async function alternate(a: () => Promise<unknown>, b: () => Promise<unknown>, calls: number): Promise<[number[], number[]]> {
  const times: [number[], number[]] = [[], []]
  const once = async (run: () => Promise<unknown>, into: number[]) => {
    const started = performance.now()
    await run()
    into.push(performance.now() - started)
  }
  for (let i = 0; i < calls; i++) {
    if (i % 2 === 0) await once(a, times[0]).then(() => once(b, times[1]))
    else await once(b, times[1]).then(() => once(a, times[0]))
  }
  return times
}

/** Per-call time splitlane adds around a fetch that answers at once: the library's own cost, free of network noise. */
async function inProcessOverheadUs(splitter: ReturnType<typeof createSplitter>, key: () => string): Promise<number> {
  const canned = () => Promise.resolve(new Response(null))
  const wrapped = createSplitFetch({ splitter, experiment: 'helloworld', key, fetch: canned })
  const rounds: number[] = []
  for (let round = 0; round < 11; round++) {
    let started = performance.now()
    for (let i = 0; i < 5000; i++) await canned()
    const bare = performance.now() - started
    started = performance.now()
    for (let i = 0; i < 5000; i++) await wrapped('http://helloworld.internal/hello')
    rounds.push(((performance.now() - started - bare) / 5000) * 1000)
  }
  return rounds.sort((a, b) => a - b)[rounds.length >> 1]!
}

export async function measureFetchOverhead(log: (message: string) => void): Promise<FetchOverhead> {
  const upstream = await startUpstream()
  try {
    const config = {
      version: 1 as const,
      experiments: {
        helloworld: {
          variants: [
            { name: 'v1', weight: 80, value: upstream.hello },
            { name: 'v2', weight: 20, value: upstream.hello },
          ],
        },
      },
    }
    const splitter = createSplitter({ config })
    let user = 0
    const key = () => `user-${user++ % 1000}`
    const splitFetch = createSplitFetch({ splitter, experiment: 'helloworld', key })
    const shadowed = createSplitFetch({ splitter, experiment: 'helloworld', key, shadow: { upstream: upstream.hanging, timeoutMs: 2000 } })
    const plain = () => fetch(`${upstream.hello}/hello`).then((response) => response.text())
    const split = () => splitFetch('http://helloworld.internal/hello').then((response) => response.text())
    const withShadow = () => shadowed('http://helloworld.internal/hello').then((response) => response.text())

    await alternate(plain, split, WARMUP_CALLS)
    const [plainTimes, splitTimes] = await alternate(plain, split, CALLS)
    log(`fetch overhead: ${CALLS} calls each, alternated`)
    await alternate(split, withShadow, WARMUP_CALLS)
    const [noShadowTimes, shadowTimes] = await alternate(split, withShadow, CALLS)
    log('shadow: primary latency with and without a hanging shadow measured')
    const [plainSummary, splitSummary] = [summary(plainTimes), summary(splitTimes)]
    const stats = shadowed.shadowStats()
    const inProcessUs = await inProcessOverheadUs(splitter, key)
    return {
      calls: CALLS,
      plain: plainSummary,
      split: splitSummary,
      overheadAtMedian: splitSummary.medianUs / plainSummary.medianUs - 1,
      noShadow: summary(noShadowTimes),
      hangingShadow: summary(shadowTimes),
      shadowStats: { sent: stats.sent, dropped: stats.dropped, timedOut: stats.timedOut },
      inProcessUs,
    }
  } finally {
    upstream.child.kill()
  }
}

const us = (value: number) => value.toFixed(1)
const pct = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`

/** The report section for docs/benchmarks.md. */
export function renderFetchOverhead(result: FetchOverhead): string {
  return [
    '## @splitlane/fetch: outgoing calls',
    '',
    `\`createSplitFetch\` against plain \`fetch\` to the same hello-world upstream (a child process on 127.0.0.1, keep-alive), ${result.calls.toLocaleString('en-US')} calls each, alternated call by call (order flipped every call) after a warm-up. Latency is per call, until the body is read.`,
    '',
    '| case | median µs | p99 µs |',
    '| --- | ---: | ---: |',
    `| plain \`fetch\` | ${us(result.plain.medianUs)} | ${us(result.plain.p99Us)} |`,
    `| \`createSplitFetch\` (sticky, 80/20) | ${us(result.split.medianUs)} | ${us(result.split.p99Us)} |`,
    `| \`createSplitFetch\`, no shadow | ${us(result.noShadow.medianUs)} | ${us(result.noShadow.p99Us)} |`,
    `| \`createSplitFetch\`, shadow that never answers | ${us(result.hangingShadow.medianUs)} | ${us(result.hangingShadow.p99Us)} |`,
    '',
    `In-process cost of \`createSplitFetch\` (assign, route, label, record; measured around a fetch that answers at once, median of 11 rounds of 5,000 calls): **${us(result.inProcessUs)} µs per call**, ${pct(result.inProcessUs / result.plain.medianUs)} of the plain call's median above.`,
    '',
    `Overhead of \`createSplitFetch\` at the median: **${pct(result.overheadAtMedian)}** (target: at most +3%). Primary p99 with a shadow that never answers against no shadow: **${pct(result.hangingShadow.p99Us / result.noShadow.p99Us - 1)}** (target: within 5%; shadows sent ${result.shadowStats.sent}, dropped at the concurrency bound ${result.shadowStats.dropped}, timed out ${result.shadowStats.timedOut}).`,
    '',
  ].join('\n')
}
