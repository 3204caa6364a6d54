import { describe, expect, it } from 'vitest'
import { createSplitter } from '../splitter.js'
import { createMetricsRecorder, mergeMetrics } from './recorder.js'
import { sketchQuantile } from './sketch.js'

describe('createMetricsRecorder', () => {
  it('counts requests, errors, status classes, sums and events exactly', () => {
    const recorder = createMetricsRecorder({ start: 1000 })
    const target = { experiment: 'checkout', variant: 'canary' }
    recorder.record(target, { status: 200, latencyMs: 10, ttfbMs: 2, promptTokens: 5, completionTokens: 7, cost: 0.25 })
    recorder.record(target, { status: 503, latencyMs: 30 })
    recorder.record(target, { error: true, latencyMs: 40, fallback: true })
    recorder.record(target, { status: 404, events: { conversion: 1, revenue: 12.5 } })
    recorder.record(target, { status: 200, events: { conversion: 1 } })
    recorder.record(target, { status: 200, latencyMs: 5, shadow: true })
    recorder.record(target, { error: true, shadow: true })
    const stats = recorder.snapshot(2000).experiments.checkout!.canary!
    expect(stats.requests).toBe(5)
    expect(stats.errors).toBe(2)
    expect(stats.statusClasses).toEqual({ '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 1, '5xx': 1 })
    expect(stats.latencyMs.count).toBe(3)
    expect(stats.latencyMs.sum).toBe(80)
    expect(stats.latencyMs.min).toBe(10)
    expect(stats.latencyMs.max).toBe(40)
    expect(stats.ttfbMs.count).toBe(1)
    expect([stats.promptTokens, stats.completionTokens, stats.cost, stats.fallbacks]).toEqual([5, 7, 0.25, 1])
    expect(stats.events).toEqual({ conversion: { count: 2, sum: 2 }, revenue: { count: 1, sum: 12.5 } })
    expect(stats.shadow.requests).toBe(2)
    expect(stats.shadow.errors).toBe(1)
    expect(stats.shadow.latencyMs.count).toBe(1)
  })

  it('eventsOnly adds business events without counting a request, and none for units outside the split', () => {
    const recorder = createMetricsRecorder()
    const target = { experiment: 'checkout', variant: 'canary' }
    recorder.record(target)
    recorder.record(target)
    recorder.record(target, { eventsOnly: true, events: { conversion: 1, revenue: 30 } })
    recorder.record({ ...target, inExperiment: false }, { eventsOnly: true, events: { conversion: 1 } })
    const stats = recorder.snapshot().experiments.checkout!.canary!
    expect(stats.requests).toBe(2)
    expect(stats.excluded.requests).toBe(0)
    expect({ ...stats.events }).toEqual({ conversion: { count: 1, sum: 1 }, revenue: { count: 1, sum: 30 } })
  })

  it('accepts an Assignment as it is and skips unknown experiments', () => {
    const splitter = createSplitter({ config: { version: 1, experiments: { hello: { variants: [{ name: 'a' }, { name: 'b' }] } } } })
    const recorder = createMetricsRecorder()
    const assignment = splitter.assign('hello', { key: 'user-1' })
    recorder.record(assignment, { status: 200 })
    // @ts-expect-error -- a name the config lacks: a compile error for a config written in code, control at run time
    recorder.record(splitter.assign('missing', { key: 'user-1' }), { status: 200 })
    expect(Object.keys(recorder.snapshot().experiments)).toEqual(['hello'])
    expect(recorder.snapshot().experiments.hello![assignment.variant!]!.requests).toBe(1)
  })

  it('never throws, whatever it is given', () => {
    const recorder = createMetricsRecorder()
    const hostile = Object.defineProperty({}, 'status', {
      get() {
        throw new Error('boom')
      },
    })
    const inputs: unknown[] = [undefined, null, 42, 'x', { experiment: 1, variant: 'a' }, { experiment: 'e', variant: null }]
    for (const input of inputs) expect(() => recorder.record(input as never, { status: 200 })).not.toThrow()
    expect(() => recorder.record({ experiment: 'e', variant: 'a' }, hostile as never)).not.toThrow()
    expect(() => recorder.record({ experiment: 'e', variant: 'a' }, null as never)).not.toThrow()
    recorder.record({ experiment: 'e', variant: 'a' }, { latencyMs: -1, cost: NaN, promptTokens: Infinity, events: { bad: NaN } })
    const stats = recorder.snapshot().experiments.e!.a!
    expect(stats.latencyMs.count).toBe(0)
    expect(stats.cost).toBe(0)
    expect(stats.promptTokens).toBe(0)
    expect(stats.events).toEqual({})
    expect(stats.requests).toBe(2)
  })

  it('snapshots are JSON-serializable deep copies; take closes the window', () => {
    const recorder = createMetricsRecorder({ start: 0 })
    recorder.record({ experiment: 'e', variant: 'a' }, { status: 200, latencyMs: 12, events: { conversion: 1 } })
    const first = recorder.snapshot(10)
    recorder.record({ experiment: 'e', variant: 'a' }, { status: 200, latencyMs: 12, events: { conversion: 1 } })
    expect(first.experiments.e!.a!.requests).toBe(1)
    expect(first.experiments.e!.a!.events.conversion!.count).toBe(1)
    expect(JSON.parse(JSON.stringify(first))).toEqual(first)
    const taken = recorder.take(60_000)
    expect(taken).toMatchObject({ start: 0, end: 60_000 })
    expect(taken.experiments.e!.a!.requests).toBe(2)
    const next = recorder.take(120_000)
    expect(next).toEqual({ start: 60_000, end: 120_000, experiments: {} })
  })
})

describe('mergeMetrics', () => {
  it('adds counts across instances and merges the sketches', () => {
    const a = createMetricsRecorder({ start: 0 })
    const b = createMetricsRecorder({ start: 5 })
    for (let i = 1; i <= 100; i++) a.record({ experiment: 'e', variant: 'v' }, { status: 200, latencyMs: i })
    for (let i = 101; i <= 200; i++) b.record({ experiment: 'e', variant: 'v' }, { status: i % 10 === 0 ? 500 : 200, latencyMs: i })
    b.record({ experiment: 'other', variant: 'x' }, { status: 200 })
    const merged = mergeMetrics(a.take(60), b.take(65))
    expect(merged.start).toBe(0)
    expect(merged.end).toBe(65)
    const stats = merged.experiments.e!.v!
    expect(stats.requests).toBe(200)
    expect(stats.errors).toBe(10)
    expect(stats.latencyMs.count).toBe(200)
    expect(stats.latencyMs.sum).toBe(20100)
    expect(Math.abs(sketchQuantile(stats.latencyMs, 0.5)! - 100) / 100).toBeLessThanOrEqual(0.01)
    expect(merged.experiments.other!.x!.requests).toBe(1)
  })

  it('of nothing is an empty window', () => {
    expect(mergeMetrics()).toEqual({ experiments: {} })
  })
})

describe('shadow outcomes', () => {
  it('keep their tokens, cost and comparator mismatches apart from primary traffic, and merge', () => {
    const recorder = createMetricsRecorder()
    const target = { experiment: 'llm', variant: 'mini' }
    recorder.record(target, { status: 200, promptTokens: 10, completionTokens: 4, cost: 0.5 })
    recorder.record(target, { status: 200, shadow: true, promptTokens: 10, completionTokens: 6, cost: 0.25, mismatch: true })
    recorder.record(target, { status: 200, shadow: true, mismatch: false })
    const stats = recorder.snapshot().experiments.llm!.mini!
    expect([stats.promptTokens, stats.completionTokens, stats.cost]).toEqual([10, 4, 0.5])
    expect(stats.shadow).toMatchObject({ requests: 2, promptTokens: 10, completionTokens: 6, cost: 0.25, mismatches: 1 })
    const twice = mergeMetrics(recorder.snapshot(), recorder.snapshot()).experiments.llm!.mini!
    expect(twice.shadow).toMatchObject({ requests: 4, promptTokens: 20, completionTokens: 12, cost: 0.5, mismatches: 2 })
  })
})
