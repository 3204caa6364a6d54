import { describe, expect, it } from 'vitest'
import { createMetricsRecorder } from '../metrics/recorder.js'
import type { MetricsWindow } from '../metrics/types.js'
import { DEFAULT_BURN_RATE_ALERTS, evaluateSlo } from './slo.js'

const MINUTE = 60_000
const target = { experiment: 'release', variant: 'canary' }

/** One window per minute for `minutes` minutes ending at `end`, each with `requests` and `errorsAt(minute)` errors. */
function minutes(end: number, count: number, requests: number, errorsAt: (minute: number) => number, latencyMs = 50): MetricsWindow[] {
  const recorder = createMetricsRecorder({ start: end - count * MINUTE })
  const windows: MetricsWindow[] = []
  for (let minute = 0; minute < count; minute++) {
    const errors = errorsAt(minute)
    for (let i = 0; i < requests; i++) recorder.record(target, { status: i < errors ? 503 : 200, latencyMs })
    windows.push(recorder.take(end - (count - minute - 1) * MINUTE))
  }
  return windows
}

describe('evaluateSlo', () => {
  const now = 100 * 60 * MINUTE
  it('defaults to 1 h / 5 m at 14.4, 6 h / 30 m at 6, 3 d / 6 h at 1', () => {
    expect(DEFAULT_BURN_RATE_ALERTS.map((alert) => [alert.longWindowMs / MINUTE, alert.shortWindowMs / MINUTE, alert.factor])).toEqual([
      [60, 5, 14.4],
      [360, 30, 6],
      [4320, 360, 1],
    ])
  })

  it('a fast burn (2% errors against 99.9%, 20x) fires the 1 h / 5 m alert', () => {
    const windows = minutes(now, 60, 100, () => 2)
    const result = evaluateSlo(windows, now, { ...target, availability: 0.999 })
    const fast = result.alerts[0]!
    expect(fast.longBurnRate).toBeCloseTo(20, 9)
    expect(fast.shortBurnRate).toBeCloseTo(20, 9)
    expect(fast.firing).toBe(true)
    expect(result.breached).toBe(true)
    expect(result.explanation[0]).toBe("canary availability burns its 99.9% objective's budget at 20x over 1 h and 20x over 5 m (>= 14.4x)")
  })

  it('needs both windows: a burst that has stopped (short window clean) does not fire', () => {
    const windows = minutes(now, 60, 100, (minute) => (minute < 40 ? 3 : 0))
    const fast = evaluateSlo(windows, now, { ...target, availability: 0.999 }).alerts[0]!
    expect(fast.longBurnRate).toBeCloseTo(20, 9)
    expect(fast.shortBurnRate).toBe(0)
    expect(fast.firing).toBe(false)
  })

  it('a slow burn below every factor does not fire; the budget shows what is left', () => {
    const windows = minutes(now, 60, 1000, (minute) => minute % 2)
    const result = evaluateSlo(windows, now, { ...target, availability: 0.999 })
    expect(result.breached).toBe(false)
    expect(result.slis[0]).toMatchObject({ sli: 'availability', good: 59_970, total: 60_000 })
    expect(result.slis[0]!.budgetRemaining).toBeCloseTo(0.5, 9)
    expect(Math.max(...result.alerts.map((alert) => alert.longBurnRate))).toBeCloseTo(0.5, 9)
  })

  it('latency SLI counts requests over the threshold; factors and windows are configurable', () => {
    const windows = minutes(now, 10, 100, () => 0, 250)
    const result = evaluateSlo(windows, now, {
      ...target,
      latency: { thresholdMs: 200, objective: 0.99 },
      alerts: [{ longWindowMs: 10 * MINUTE, shortWindowMs: MINUTE, factor: 50 }],
    })
    expect(result.alerts[0]).toMatchObject({ sli: 'latency', firing: true })
    expect(result.alerts[0]!.longBurnRate).toBeCloseTo(100, 9)
  })

  it('too few requests never fire', () => {
    const windows = minutes(now, 5, 1, () => 1)
    expect(evaluateSlo(windows, now, { ...target, availability: 0.999 }).breached).toBe(false)
  })
})
