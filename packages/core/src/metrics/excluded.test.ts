import { describe, expect, it } from 'vitest'
import { createSplitter } from '../splitter.js'
import { createMetricsRecorder, mergeMetrics } from './recorder.js'

describe('assignments outside the randomized split', () => {
  it('are counted in `excluded` only, so analysis sees split units alone', () => {
    const splitter = createSplitter({
      config: { version: 1, experiments: { hello: { variants: [{ name: 'a' }, { name: 'b' }], overrides: { qa: 'b' }, exposure: 50 } } },
    })
    const recorder = createMetricsRecorder()
    const forced = splitter.assign('hello', { key: 'qa' })
    expect(forced.inExperiment).toBe(false)
    recorder.record(forced, { status: 503, latencyMs: 10 })
    recorder.record(forced, { status: 200, latencyMs: 10 })
    recorder.record(forced, { status: 200, shadow: true })
    recorder.record({ experiment: 'hello', variant: 'b' }, { status: 200, latencyMs: 20 })
    const stats = recorder.snapshot().experiments.hello!.b!
    expect(stats.excluded).toEqual({ requests: 2, errors: 1 })
    expect([stats.requests, stats.errors, stats.latencyMs.count, stats.shadow.requests]).toEqual([1, 0, 1, 0])
    expect(mergeMetrics(recorder.snapshot(), recorder.snapshot()).experiments.hello!.b!.excluded).toEqual({ requests: 4, errors: 2 })
  })
})
