// A tiny benchmark harness: round-robin timing (median ns/op) and heap-delta allocation (median
// bytes/op, samples that saw a GC thrown away). Built for a shared, noisy 2-core box: only
// medians and ratios mean anything.
import { PerformanceObserver, performance } from 'node:perf_hooks'
import v8 from 'node:v8'

export type CaseKind = 'baseline' | 'splitlane' | 'peer' | 'control'

export interface Case {
  /** Stable handle for the report, e.g. `assign` or `murmur3-ascii`. */
  readonly id: string
  /** Markdown, as shown in the table. */
  readonly name: string
  readonly kind: CaseKind
  /**
   * Runs `ops` operations over the case's keys, continuing where the last call stopped, and
   * returns a value that depends on every result, so the JIT cannot drop the work. Each case
   * writes out its own loop rather than a shared loop calling a callback, whose call site would
   * turn megamorphic and slow the cheap cases down.
   */
  run(ops: number): number
  /** The variant one key gets, for the split check; absent for cases that only hash. */
  variantOf?(key: string): string | null
}

export interface TimingOptions {
  /** Untimed running per case before anything is measured, to let the JIT settle. */
  warmupMs: number
  /** Each case runs this long (approximately) per round. */
  roundMs: number
  rounds: number
  onProgress?: (message: string) => void
}

export interface Timing {
  medianNs: number
  opsPerRound: number
  samples: number[]
}

let sink = 0
/** Every case result is folded in here; print it so nothing is dead code. */
export const sinkValue = (): number => sink

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Nanoseconds one `run(ops)` takes. */
function timeRun(benchCase: Case, ops: number): number {
  const start = process.hrtime.bigint()
  sink ^= benchCase.run(ops)
  return Number(process.hrtime.bigint() - start)
}

/** Runs the case for `warmupMs`, then returns how many ops take about `roundMs`. */
export function warmUp(benchCase: Case, warmupMs: number, roundMs: number): number {
  let ops = 16
  let spent = 0
  const perOp: number[] = []
  while (spent < warmupMs * 1e6 || perOp.length < 5) {
    const elapsed = timeRun(benchCase, ops)
    spent += elapsed
    perOp.push(elapsed / ops)
    if (elapsed < (roundMs * 1e6) / 4) ops *= 2
  }
  return Math.max(1, Math.round((roundMs * 1e6) / median(perOp.slice(-5))))
}

/** The cases in a fresh order for each round (seeded, so runs are repeatable). */
function roundOrders(cases: readonly Case[], rounds: number): Case[][] {
  let state = 0x2545f491
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32
  return Array.from({ length: rounds }, () => {
    const order = [...cases]
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    return order
  })
}

/**
 * Warms every case up, then runs them round-robin, every round in a new order so no case always
 * runs first or right after the same neighbour, and returns each case's median ns/op over the rounds.
 */
export function measureTimes(cases: readonly Case[], options: TimingOptions): Map<Case, Timing> {
  const { warmupMs, roundMs, rounds, onProgress } = options
  const opsPerRound = new Map<Case, number>()
  for (const benchCase of cases) {
    opsPerRound.set(benchCase, warmUp(benchCase, warmupMs, roundMs))
    onProgress?.(`warmed up ${benchCase.name}: ${opsPerRound.get(benchCase)} ops per round`)
  }
  const samples = new Map<Case, number[]>(cases.map((benchCase) => [benchCase, []]))
  // one more untimed round first, after every case has left its mark on shared code
  const orders = roundOrders(cases, rounds + 1)
  orders.forEach((order, round) => {
    for (const benchCase of order) {
      const ops = opsPerRound.get(benchCase)!
      const elapsed = timeRun(benchCase, ops)
      if (round > 0) samples.get(benchCase)!.push(elapsed / ops)
    }
    if (round > 0 && round % 5 === 0) onProgress?.(`timing: ${round}/${rounds} rounds`)
  })
  return new Map(
    cases.map((benchCase) => {
      const values = samples.get(benchCase)!
      return [benchCase, { medianNs: median(values), opsPerRound: opsPerRound.get(benchCase)!, samples: values }]
    }),
  )
}

export interface Allocation {
  /** Median bytes allocated per op over the clean samples. */
  bytesPerOp: number
  samples: number[]
  /** Samples thrown away because a garbage collection ran during them. */
  discarded: number
  /** Ops per sample. */
  ops: number
}

/** Start times (performance.now() clock) of every garbage collection seen so far. */
const gcStarts: number[] = []
let gcObserver: PerformanceObserver | undefined

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** What one sample may allocate: a quarter of the 256 MiB semi-space the bench script asks for. */
const SAMPLE_BUDGET_BYTES = 64 * 2 ** 20
/**
 * The heap counter is off by up to ~20 KB per sample (the young generation's allocation area after a
 * full GC), so samples of cases that barely allocate need many ops: 500,000 puts that error under
 * 0.05 bytes/op.
 */
const MAX_SAMPLE_OPS = 500_000
const MIN_SAMPLE_OPS = 50
const PILOT_OPS = 100

function collectGarbage(): void {
  if (globalThis.gc === undefined) throw new Error('run node with --expose-gc to measure allocation')
  globalThis.gc()
}

/** Heap growth over one run of `ops`, or undefined when a GC ran in between. */
async function heapGrowth(benchCase: Case, ops: number): Promise<number | undefined> {
  collectGarbage()
  collectGarbage()
  await nextTurn() // let the two forced collections reach the observer first
  const start = performance.now()
  const before = v8.getHeapStatistics().used_heap_size
  sink ^= benchCase.run(ops)
  const after = v8.getHeapStatistics().used_heap_size
  const end = performance.now()
  await nextTurn()
  await nextTurn()
  return gcStarts.some((time) => time >= start && time <= end) ? undefined : after - before
}

/**
 * Bytes allocated per op: full GC, read V8's used heap size, run the ops, read it again, divide.
 * The young generation is far larger than a sample allocates (a pilot run sizes the samples), so
 * nothing is collected in between; a sample during which the GC observer saw a collection is
 * redone. Returns the median of `samples` clean samples.
 */
export async function measureAllocation(benchCase: Case, samples = 5): Promise<Allocation> {
  if (gcObserver === undefined) {
    gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcStarts.push(entry.startTime)
    })
    gcObserver.observe({ entryTypes: ['gc'] })
  }
  const pilot = (await heapGrowth(benchCase, PILOT_OPS)) ?? SAMPLE_BUDGET_BYTES
  const estimate = Math.max(pilot / PILOT_OPS, 1)
  const ops = Math.max(MIN_SAMPLE_OPS, Math.min(MAX_SAMPLE_OPS, Math.floor(SAMPLE_BUDGET_BYTES / estimate)))
  const values: number[] = []
  let discarded = 0
  while (values.length < samples && discarded < samples * 4) {
    const growth = await heapGrowth(benchCase, ops)
    if (growth === undefined) discarded++
    else values.push(growth / ops)
  }
  return { bytesPerOp: median(values), samples: values, discarded, ops }
}

export function stopObservingGc(): void {
  gcObserver?.disconnect()
  gcObserver = undefined
}
