// createSplitFetch against plain fetch to the same local upstream (a child process), alternated
// call by call in one run; and the primary's latency with and without a shadow that never answers.
import { fork, type ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createSplitter } from '@splitlane/core'
import { createSplitFetch, VARIANT_HEADER } from '@splitlane/fetch'

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
  /** Plain fetch with the variant header: what labelling costs inside fetch itself. */
  labelled: Summary
  split: Summary
  /** `split / plain - 1` at the median. */
  overheadAtMedian: number
  noShadow: Summary
  hangingShadow: Summary
  shadowStats: { sent: number; dropped: number; timedOut: number }
  /** What createSplitFetch adds per call in CPU, measured against a fetch that answers at once (no I/O). */
  inProcessUs: number
  /** Median time of one `splitter.assign` between real round trips. */
  assignInSituUs: number
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

/** Runs the cases in turn (order reversed every call) and returns each one's latencies in ms. */
async function alternate(cases: readonly (() => Promise<unknown>)[], calls: number): Promise<number[][]> {
  const times = cases.map(() => [] as number[])
  const order = cases.map((_, index) => index)
  for (let i = 0; i < calls; i++) {
    for (const index of i % 2 === 0 ? order : [...order].reverse()) {
      const started = performance.now()
      await cases[index]!()
      times[index]!.push(performance.now() - started)
    }
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
    // The floor for any library that labels the call: the same fetch carrying the variant header splitlane adds.
    const labelled = () =>
      fetch(`${upstream.hello}/hello`, { headers: { [VARIANT_HEADER]: 'helloworld=v1' } }).then((response) => response.text())
    const assignTimes: number[] = []
    const assignThenLabelled = () => {
      const started = performance.now()
      splitter.assign('helloworld', { key: key() })
      assignTimes.push(performance.now() - started)
      return labelled()
    }
    const split = () => splitFetch('http://helloworld.internal/hello').then((response) => response.text())
    const withShadow = () => shadowed('http://helloworld.internal/hello').then((response) => response.text())

    await alternate([plain, labelled, split, assignThenLabelled], WARMUP_CALLS)
    assignTimes.length = 0
    const [plainTimes, labelledTimes, splitTimes] = (await alternate([plain, labelled, split, assignThenLabelled], CALLS)) as [
      number[],
      number[],
      number[],
    ]
    log(`fetch overhead: ${CALLS} calls each, alternated`)
    await alternate([split, withShadow], WARMUP_CALLS)
    const [noShadowTimes, shadowTimes] = (await alternate([split, withShadow], CALLS)) as [number[], number[]]
    log('shadow: primary latency with and without a hanging shadow measured')
    const [plainSummary, labelledSummary, splitSummary] = [summary(plainTimes), summary(labelledTimes), summary(splitTimes)]
    const stats = shadowed.shadowStats()
    const inProcessUs = await inProcessOverheadUs(splitter, key)
    return {
      calls: CALLS,
      plain: plainSummary,
      labelled: labelledSummary,
      split: splitSummary,
      overheadAtMedian: splitSummary.medianUs / plainSummary.medianUs - 1,
      noShadow: summary(noShadowTimes),
      hangingShadow: summary(shadowTimes),
      shadowStats: { sent: stats.sent, dropped: stats.dropped, timedOut: stats.timedOut },
      inProcessUs,
      assignInSituUs: summary(assignTimes).medianUs,
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
    `| plain \`fetch\` with the variant header (the floor for labelling) | ${us(result.labelled.medianUs)} | ${us(result.labelled.p99Us)} |`,
    `| \`createSplitFetch\` (sticky, 80/20) | ${us(result.split.medianUs)} | ${us(result.split.p99Us)} |`,
    `| \`createSplitFetch\`, no shadow | ${us(result.noShadow.medianUs)} | ${us(result.noShadow.p99Us)} |`,
    `| \`createSplitFetch\`, shadow that never answers | ${us(result.hangingShadow.medianUs)} | ${us(result.hangingShadow.p99Us)} |`,
    '',
    `In-process cost of \`createSplitFetch\` (assign, route, label, record; measured around a fetch that answers at once, median of 11 rounds of 5,000 calls): **${us(result.inProcessUs)} µs per call**, ${pct(result.inProcessUs / result.plain.medianUs)} of the plain call's median above.`,
    '',
    `Overhead of \`createSplitFetch\` at the median: **${pct(result.overheadAtMedian)}** (target: at most +3%); of that, fetch itself spends ${pct(result.labelled.medianUs / result.plain.medianUs - 1)} on the variant header the call must carry, and splitlane beyond that floor adds ${pct(result.split.medianUs / result.labelled.medianUs - 1)}.`,
    '',
    `Code on the call path costs several times more between real round trips than in a loop: in the same alternated run, one \`splitter.assign\` timed alone before each labelled call took a median of ${us(result.assignInSituUs)} µs (in a loop it takes a fraction of a microsecond; see the splitter table), as every call starts after I/O with cold caches on this shared virtual machine.`,
    '',
    `Primary p99 with a shadow that never answers against no shadow: **${pct(result.hangingShadow.p99Us / result.noShadow.p99Us - 1)}** (target: within 5%; shadows sent ${result.shadowStats.sent}, dropped at the concurrency bound ${result.shadowStats.dropped}, timed out ${result.shadowStats.timedOut}).`,
    '',
  ].join('\n')
}
