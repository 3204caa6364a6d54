import { isFailure } from './failure.js'
import { addToSketch, copySketch, createQuantileSketch, mergeSketches } from './sketch.js'
import type { EventStats, MetricsRecorder, MetricsRecorderOptions, MetricsWindow, Outcome, VariantStats } from './types.js'

const ownRecord = <T>(): Record<string, T> => Object.create(null) as Record<string, T>

/** Distinct event names kept per variant; more are dropped (a guard against unbounded names). */
export const MAX_EVENT_NAMES = 256

export function createVariantStats(): VariantStats {
  return {
    requests: 0,
    excluded: { requests: 0, errors: 0 },
    errors: 0,
    statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    latencyMs: createQuantileSketch(),
    ttfbMs: createQuantileSketch(),
    promptTokens: 0,
    completionTokens: 0,
    cost: 0,
    fallbacks: 0,
    shadow: { requests: 0, errors: 0, latencyMs: createQuantileSketch(), promptTokens: 0, completionTokens: 0, cost: 0, mismatches: 0 },
    events: ownRecord<EventStats>(), // keyed by caller-supplied event names: no prototype to reach
  }
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)
const nonNegative = (value: unknown): number => (isFiniteNumber(value) && value >= 0 ? value : 0)

function addOutcome(stats: VariantStats, outcome: Outcome): void {
  const status = isFiniteNumber(outcome.status) ? Math.trunc(outcome.status) : undefined
  const failed = isFailure(outcome)
  if (outcome.shadow === true) {
    stats.shadow.requests++
    if (failed) stats.shadow.errors++
    if (outcome.latencyMs !== undefined) addToSketch(stats.shadow.latencyMs, outcome.latencyMs)
    stats.shadow.promptTokens += nonNegative(outcome.promptTokens)
    stats.shadow.completionTokens += nonNegative(outcome.completionTokens)
    stats.shadow.cost += nonNegative(outcome.cost)
    if (outcome.mismatch === true) stats.shadow.mismatches++
    return
  }
  stats.requests++
  if (failed) stats.errors++
  if (status !== undefined && status >= 100 && status <= 599) stats.statusClasses[STATUS_CLASSES[Math.floor(status / 100) - 1]!]++
  if (outcome.latencyMs !== undefined) addToSketch(stats.latencyMs, outcome.latencyMs)
  if (outcome.ttfbMs !== undefined) addToSketch(stats.ttfbMs, outcome.ttfbMs)
  stats.promptTokens += nonNegative(outcome.promptTokens)
  stats.completionTokens += nonNegative(outcome.completionTokens)
  stats.cost += nonNegative(outcome.cost)
  if (outcome.fallback === true) stats.fallbacks++
  addEvents(stats, outcome.events)
}

function addEvents(stats: VariantStats, events: Outcome['events']): void {
  if (events !== undefined && events !== null && typeof events === 'object') {
    for (const name of Object.keys(events)) {
      const value = events[name] // Object.keys: own names only, `__proto__` included as a plain name
      if (!isFiniteNumber(value)) continue
      let event = stats.events[name]
      if (event === undefined) {
        if (Object.keys(stats.events).length >= MAX_EVENT_NAMES) continue
        event = stats.events[name] = { count: 0, sum: 0 }
      }
      event.count++
      event.sum += value
    }
  }
}

export function copyVariantStats(stats: VariantStats): VariantStats {
  const events = ownRecord<EventStats>()
  for (const name of Object.keys(stats.events)) events[name] = { ...stats.events[name]! }
  return {
    ...stats,
    excluded: { ...stats.excluded },
    statusClasses: { ...stats.statusClasses },
    latencyMs: copySketch(stats.latencyMs),
    ttfbMs: copySketch(stats.ttfbMs),
    shadow: { ...stats.shadow, latencyMs: copySketch(stats.shadow.latencyMs) },
    events,
  }
}

/** A new stats object holding both inputs. */
export function mergeVariantStats(a: VariantStats, b: VariantStats): VariantStats {
  const events = ownRecord<EventStats>()
  for (const source of [a.events, b.events])
    for (const name of Object.keys(source)) {
      const event = source[name]!
      const sum = events[name]
      events[name] = sum === undefined ? { ...event } : { count: sum.count + event.count, sum: sum.sum + event.sum }
    }
  const statusClasses = { ...a.statusClasses }
  for (const key of Object.keys(statusClasses) as (keyof typeof statusClasses)[]) statusClasses[key] += b.statusClasses[key]
  return {
    requests: a.requests + b.requests,
    excluded: { requests: a.excluded.requests + b.excluded.requests, errors: a.excluded.errors + b.excluded.errors },
    errors: a.errors + b.errors,
    statusClasses,
    latencyMs: mergeSketches(a.latencyMs, b.latencyMs),
    ttfbMs: mergeSketches(a.ttfbMs, b.ttfbMs),
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    cost: a.cost + b.cost,
    fallbacks: a.fallbacks + b.fallbacks,
    shadow: {
      requests: a.shadow.requests + b.shadow.requests,
      errors: a.shadow.errors + b.shadow.errors,
      latencyMs: mergeSketches(a.shadow.latencyMs, b.shadow.latencyMs),
      promptTokens: a.shadow.promptTokens + b.shadow.promptTokens,
      completionTokens: a.shadow.completionTokens + b.shadow.completionTokens,
      cost: a.shadow.cost + b.shadow.cost,
      mismatches: a.shadow.mismatches + b.shadow.mismatches,
    },
    events,
  }
}

function copyWindow(window: MetricsWindow): MetricsWindow {
  const experiments = ownRecord<Record<string, VariantStats>>()
  for (const experiment of Object.keys(window.experiments)) {
    const variants = ownRecord<VariantStats>()
    const source = window.experiments[experiment]!
    for (const variant of Object.keys(source)) variants[variant] = copyVariantStats(source[variant]!)
    experiments[experiment] = variants
  }
  return { ...window, experiments }
}

/**
 * Combines windows (from successive periods, or from many instances) into one. Counts and sums add,
 * sketches merge; `start` is the earliest, `end` the latest. Associative and commutative.
 */
export function mergeMetrics(...windows: MetricsWindow[]): MetricsWindow {
  const experiments = ownRecord<Record<string, VariantStats>>()
  let start: number | undefined
  let end: number | undefined
  for (const window of windows) {
    if (window.start !== undefined) start = start === undefined ? window.start : Math.min(start, window.start)
    if (window.end !== undefined) end = end === undefined ? window.end : Math.max(end, window.end)
    for (const experiment of Object.keys(window.experiments)) {
      const variants = (experiments[experiment] ??= ownRecord<VariantStats>())
      const source = window.experiments[experiment]!
      for (const variant of Object.keys(source)) {
        const existing = variants[variant]
        variants[variant] = existing === undefined ? copyVariantStats(source[variant]!) : mergeVariantStats(existing, source[variant]!)
      }
    }
  }
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }), experiments }
}

/** An in-memory recorder of per-variant outcomes; `take(now)` closes one window and opens the next. */
export function createMetricsRecorder(options: MetricsRecorderOptions = {}): MetricsRecorder {
  let experiments = ownRecord<Record<string, VariantStats>>()
  let start = isFiniteNumber(options.start) ? options.start : undefined

  const snapshot = (now?: number): MetricsWindow =>
    copyWindow({
      ...(start === undefined ? {} : { start }),
      ...(isFiniteNumber(now) ? { end: now } : {}),
      experiments,
    })

  return {
    record(target, outcome = {}) {
      try {
        const experiment = target?.experiment
        const variant = target?.variant
        if (typeof experiment !== 'string' || typeof variant !== 'string') return
        const variants = (experiments[experiment] ??= ownRecord<VariantStats>())
        const stats = (variants[variant] ??= createVariantStats())
        if (outcome?.eventsOnly === true) {
          // Events of a unit outside the split are not part of the analysis, as its requests are not.
          if (target.inExperiment !== false) addEvents(stats, outcome.events)
          return
        }
        if (target.inExperiment === false) {
          // Overridden, not exposed, disabled or failed: served, but not part of the randomized split.
          const result = outcome ?? {}
          if (result.shadow === true) return
          stats.excluded.requests++
          if (isFailure(result)) stats.excluded.errors++
          return
        }
        addOutcome(stats, outcome ?? {})
      } catch {
        // Never throw on the request path (e.g. an outcome object whose getter throws).
      }
    },
    snapshot,
    take(now) {
      const window = snapshot(now)
      experiments = ownRecord<Record<string, VariantStats>>()
      if (isFiniteNumber(now)) start = now
      return window
    },
  }
}
