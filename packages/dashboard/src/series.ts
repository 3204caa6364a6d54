// Per-variant time series: every outcome recorded through `recorder` also lands in a private window
// that is closed at most once per `sampleMs` into one point. The user's recorder is left alone, so a
// rollout driver may `take()` it at its own pace without the charts losing requests.
import { createMetricsRecorder, sketchQuantile, type MetricsRecorder, type Splitter, type VariantStats } from '@splitlane/core'

/** Points kept per series (the oldest is dropped first). */
export const MAX_POINTS = 240

export interface VariantSeries {
  /** Requests in each interval: the numbers the charts are drawn from. */
  requests: number[]
  rate: number[]
  errorRatio: (number | null)[]
  p50: (number | null)[]
  p95: (number | null)[]
  p99: (number | null)[]
  ttfb: (number | null)[]
  tokens: (number | null)[]
  cost: (number | null)[]
}

export interface Series {
  /** End of each interval, ms since epoch. */
  t: number[]
  experiments: Record<string, Record<string, VariantSeries>>
  /** The rollout's canary weight in percent at each point (`null` without a rollout). */
  canaryWeight: (number | null)[]
}

const perRequest = (value: number, stats: VariantStats) => (stats.requests === 0 ? null : value / stats.requests)

export function createSeries(
  inner: MetricsRecorder,
  splitter: Pick<Splitter, 'config'>,
  now: () => number,
  sampleMs: number,
  canaryWeight: () => number | undefined,
) {
  const start = now()
  const pending = createMetricsRecorder({ start })
  const total = createMetricsRecorder({ start })
  let seenConfig = splitter.config
  let totalKey = weightsKeyOf(seenConfig)
  const series: Series = { t: [], experiments: Object.create(null) as Series['experiments'], canaryWeight: [] }
  let last = start
  let used = false

  const recorder: MetricsRecorder = {
    record(target, outcome) {
      used = true
      resetTotalsOnNewWeights()
      inner.record(target, outcome)
      pending.record(target, outcome)
      total.record(target, outcome)
      // traffic closes points too, so the history is there before anyone opens the page
      const at = now()
      if (at - last >= sampleMs) sample(at)
    },
    snapshot: (now) => inner.snapshot(now),
    take: (now) => inner.take(now),
  }

  /** Closes the pending window into a point when `sampleMs` has passed since the last one. */
  function sample(now: number): Series {
    if (now - last < sampleMs) return series
    const seconds = (now - last) / 1000
    last = now
    const window = pending.take(now)
    const index = series.t.length
    series.t.push(now)
    series.canaryWeight.push(canaryWeight() ?? null)
    for (const [experiment, variants] of Object.entries(window.experiments)) {
      const known = (series.experiments[experiment] ??= Object.create(null) as Record<string, VariantSeries>)
      for (const name of Object.keys(variants)) {
        if (!Object.hasOwn(known, name)) known[name] = emptySeries(index)
      }
    }
    for (const [experiment, variants] of Object.entries(series.experiments)) {
      for (const [name, line] of Object.entries(variants)) {
        const stats = Object.hasOwn(window.experiments, experiment) ? window.experiments[experiment]![name] : undefined
        push(line, stats, seconds)
      }
    }
    if (series.t.length > MAX_POINTS) {
      series.t.shift()
      series.canaryWeight.shift()
      for (const variants of Object.values(series.experiments))
        for (const line of Object.values(variants)) for (const values of Object.values(line)) (values as unknown[]).shift()
    }
    return series
  }

  /** Observed shares and SRM compare against the current weights, so they count from the last weight change on. */
  function resetTotalsOnNewWeights(): void {
    if (splitter.config === seenConfig) return // a config is replaced, never mutated: identity is a cheap first check
    seenConfig = splitter.config
    const key = weightsKeyOf(seenConfig)
    if (key !== totalKey) total.take(now())
    totalKey = key
  }

  /** Everything recorded since the weights last changed. */
  function totals(at: number) {
    resetTotalsOnNewWeights()
    return total.snapshot(at)
  }

  return { recorder, sample, totals, used: () => used }
}

const weightsKeyOf = (config: Splitter['config']) =>
  JSON.stringify(
    Object.entries(config.experiments).map(([name, experiment]) => [name, experiment.variants.map((variant) => variant.weight)]),
  )

function emptySeries(length: number): VariantSeries {
  const nulls = () => Array.from({ length }, () => null)
  const zeros = () => Array.from({ length }, () => 0)
  return {
    requests: zeros(),
    rate: zeros(),
    errorRatio: nulls(),
    p50: nulls(),
    p95: nulls(),
    p99: nulls(),
    ttfb: nulls(),
    tokens: nulls(),
    cost: nulls(),
  }
}

function push(line: VariantSeries, stats: VariantStats | undefined, seconds: number): void {
  const requests = stats?.requests ?? 0
  line.requests.push(requests)
  line.rate.push(seconds > 0 ? requests / seconds : 0)
  line.errorRatio.push(stats ? perRequest(stats.errors, stats) : null)
  line.p50.push(stats ? sketchQuantile(stats.latencyMs, 0.5) : null)
  line.p95.push(stats ? sketchQuantile(stats.latencyMs, 0.95) : null)
  line.p99.push(stats ? sketchQuantile(stats.latencyMs, 0.99) : null)
  line.ttfb.push(stats ? sketchQuantile(stats.ttfbMs, 0.5) : null)
  const tokens = stats ? stats.promptTokens + stats.completionTokens : 0
  line.tokens.push(stats && tokens > 0 ? perRequest(tokens, stats) : null)
  line.cost.push(stats && stats.cost > 0 ? perRequest(stats.cost, stats) : null)
}
