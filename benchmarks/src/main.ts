// `pnpm --filter @splitlane/benchmarks bench`: times and measures every case in one run, prints
// the report and writes it to docs/benchmarks.md. Every number in the report comes from this run.
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { ASSIGN_ALL_EXPERIMENTS, SPLIT, createCases } from './cases.js'
import { measureAllocation, measureTimes, sinkValue, stopObservingGc, warmUp, type Allocation, type Case } from './harness.js'
import { KEY_COUNT, isAscii, mixedKeys } from './keys.js'
import { measureAdapters } from './adapters.js'
import { measureFetchOverhead, renderFetchOverhead } from './fetch-overhead.js'
import { renderAdapterReport, renderReport, type Row } from './report.js'
import { measurePlan } from './plan-cost.js'
import { measureRequestPath } from './request-path.js'
import { measureSizes, renderSizeSection } from './size.js'

const TIMING = { warmupMs: 400, roundMs: 40, rounds: 21 }
const ALLOCATION_SAMPLES = 5
const SPLIT_TOLERANCE = 0.03
const DOC = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))

const log = (message: string) => console.error(`[bench] ${message}`)

const REQUEST_PATH_METHOD = `## The request path against its floor (in-process)

Each adapter (c) beside (a) the bare app and (b) a floor: hand-written middleware doing only the essential work of a sticky split (read the cookie with one \`indexOf\` and a \`slice\`, take the user id header, else the cookie, else a fresh id signed with HMAC-SHA256 as splitlane signs it by default; hash with splitlane's \`murmur3\`; choose one of 10/10/80; set the variant header and, on a first visit, the sticky cookie; benchmarks/src/adapter-floor.ts). Splitlane runs with a metrics recorder and the OpenTelemetry API (no SDK), the cookie signed. Express and Fastify are driven through their own \`inject\` (no sockets), \`withSplitlane\` by calling the handler with a \`Request\`, with an event-loop turn every 16 requests (without it, light-my-request's \`setImmediate\` callbacks kept every request of a batch alive until its end, and the collector copied them all); "core" is \`createHttpSplit\` begin + finish alone, against the floor's decision alone. Each sample is 1,000 requests (20,000 for core) timed in this process's CPU time, so time the shared machine gave to other work does not count; a young-generation collection runs between samples and none within one, so the collector's work is outside the figures, and the last column gives what it is fed instead: bytes allocated per request over the floor's (the young generation's growth over a sample). The cases alternate round by round (order reversed every round), and the headline is the median over rounds of the same-round difference (c) - (b). Returning visitor: a user id and six cookies; first visit: neither. \`SPLITLANE_OLD=<dir> pnpm --filter @splitlane/benchmarks bench:request-path\` runs an older build beside this one.`

/** Every case must split the common keys 80/10/10, or the comparison is meaningless. */
function checkSplits(cases: readonly Case[]): Map<Case, Record<string, number>> {
  const shares = new Map<Case, Record<string, number>>()
  for (const benchCase of cases) {
    if (benchCase.variantOf === undefined) continue
    const counts: Record<string, number> = {}
    for (const key of mixedKeys) {
      const variant = String(benchCase.variantOf(key))
      counts[variant] = (counts[variant] ?? 0) + 1
    }
    const share: Record<string, number> = {}
    for (const [variant, count] of Object.entries(counts)) share[variant] = count / mixedKeys.length
    for (const { name, share: expected } of SPLIT) {
      const actual = share[name] ?? 0
      if (Math.abs(actual - expected) > SPLIT_TOLERANCE)
        throw new Error(`${benchCase.name} gives ${name} to ${(actual * 100).toFixed(1)}% of keys, expected ${expected * 100}%`)
    }
    const unexpected = Object.keys(share).filter((variant) => !SPLIT.some(({ name }) => name === variant))
    if (unexpected.length > 0) throw new Error(`${benchCase.name} returned unexpected variants: ${unexpected.join(', ')}`)
    shares.set(benchCase, share)
  }
  return shares
}

async function main(): Promise<void> {
  const startedAt = new Date()
  const { timed, controls, close } = await createCases()
  const nonAscii = mixedKeys.filter((key) => !isAscii(key)).length
  log(`${KEY_COUNT} keys, ${nonAscii} non-ASCII; ${timed.length} cases`)

  const shares = checkSplits(timed)
  log('split check passed: every case splits the keys 80/10/10')

  const times = measureTimes(timed, { ...TIMING, onProgress: log })

  for (const control of controls) warmUp(control, TIMING.warmupMs, TIMING.roundMs)
  const allocations = new Map<Case, Allocation>()
  for (const benchCase of [...controls, ...timed]) {
    const allocation = await measureAllocation(benchCase, ALLOCATION_SAMPLES)
    allocations.set(benchCase, allocation)
    log(
      `allocation ${benchCase.name}: ${allocation.bytesPerOp.toFixed(2)} B/op, ${allocation.ops} ops per sample, ${allocation.discarded} redone`,
    )
  }
  stopObservingGc()
  close()
  const adapters = await measureAdapters(log)

  const rows: Row[] = timed.map((benchCase) => ({
    id: benchCase.id,
    name: benchCase.name,
    kind: benchCase.kind,
    timing: times.get(benchCase)!,
    allocation: allocations.get(benchCase)!,
    share: shares.get(benchCase),
  }))
  const markdown = renderReport({
    startedAt,
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    rows,
    controls: controls.map((benchCase) => ({ name: benchCase.name, allocation: allocations.get(benchCase)! })),
    timing: TIMING,
    allocationSamples: ALLOCATION_SAMPLES,
    keyCount: KEY_COUNT,
    nonAsciiKeys: nonAscii,
    assignAllExperiments: ASSIGN_ALL_EXPERIMENTS,
  })
  const fetchSection = renderFetchOverhead(await measureFetchOverhead(log))
  const planSection = measurePlan()
  const requestPath = `${REQUEST_PATH_METHOD}\n\n${await measureRequestPath({ rounds: 41, log })}\n`
  const sizeSection = renderSizeSection(await measureSizes())
  const formatted = await format(
    `${markdown}\n${renderAdapterReport(adapters)}\n${requestPath}\n${fetchSection}\n${planSection}\n${sizeSection}`,
    { ...(await resolveConfig(DOC)), filepath: DOC },
  )
  await writeFile(DOC, formatted)
  console.log(formatted)
  log(`wrote ${DOC} (sink ${sinkValue()})`)
}

await main()
