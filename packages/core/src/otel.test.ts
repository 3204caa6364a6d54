import { context, createNoopMeter, metrics, propagation, trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { installOtelSdk } from '../test/otel-sdk.js'
import { createCallInstrumentation, createOtelInstrumentation, variantsFromBaggage, withVariantBaggage } from './otel.js'
import { LATENCY_BUCKETS_SECONDS } from './metrics/buckets.js'
import { createHttpSplit } from './request/split.js'
import type { RequestView } from './request/types.js'
import { createSplitter } from './splitter.js'

const { spans, metricExporter, reader, meterProvider } = installOtelSdk()

const splitter = createSplitter({
  config: {
    version: 1,
    revision: 'rev-9',
    experiments: { checkout: { variants: [{ name: 'control' }, { name: 'canary' }], overrides: { 'qa-user': 'canary' } } },
  },
})
// The cookie only carries the key into these tests: in clear, not signed.
const inClear = { signed: false } as const
const view = (cookie: string): RequestView => ({
  header: (name) => (name === 'cookie' ? cookie : undefined),
  ip: () => undefined,
  path: () => '/',
})

describe('@splitlane/core/otel', () => {
  it('adds a feature_flag.evaluation event to the active span, without the key unless asked', () => {
    const tracer = trace.getTracer('test')
    for (const includeKey of [false, true]) {
      const split = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ meterProvider, includeKey }) })
      tracer.startActiveSpan(`request-${includeKey}`, (span) => {
        split.begin({}, view('splitlane_id=qa-user'))
        span.end()
      })
    }
    const [plain, withKey] = spans.getFinishedSpans()
    expect(plain!.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        'feature_flag.evaluation',
        {
          'feature_flag.key': 'checkout',
          'feature_flag.provider.name': 'splitlane',
          'feature_flag.result.variant': 'canary',
          'feature_flag.result.reason': 'targeting_match',
          'feature_flag.version': 'rev-9',
        },
      ],
    ])
    expect(withKey!.events[0]!.attributes!['feature_flag.context.id']).toBe('qa-user')
  })

  it('counts requests and records durations per experiment, variant and config revision', async () => {
    let clock = 0
    const split = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ meterProvider }), now: () => clock })
    for (const status of [200, 200, 503]) {
      const request = split.begin({}, view('splitlane_id=qa-user'))
      clock += 250
      request.finish({ status })
    }
    await reader.forceFlush()
    const exported = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((scope) => scope.metrics)
    const requests = exported.find((metric) => metric.descriptor.name === 'splitlane.requests')!
    const points = requests.dataPoints.map((point) => [point.attributes, point.value])
    expect(points).toEqual(
      expect.arrayContaining([
        [
          {
            'feature_flag.key': 'checkout',
            'feature_flag.result.variant': 'canary',
            'feature_flag.version': 'rev-9',
            'http.response.status_code': 200,
          },
          2,
        ],
        [
          {
            'feature_flag.key': 'checkout',
            'feature_flag.result.variant': 'canary',
            'feature_flag.version': 'rev-9',
            'http.response.status_code': 503,
            'error.type': '503',
          },
          1,
        ],
      ]),
    )
    const duration = exported.find((metric) => metric.descriptor.name === 'splitlane.request.duration')!
    expect(duration.descriptor.unit).toBe('s')
    const ok = duration.dataPoints.find((point) => point.attributes['http.response.status_code'] === 200)!
    expect(ok.value).toMatchObject({ count: 2, sum: 0.5 })
    // The SDK honours the instrument's bucket advice: the documented web-latency boundaries.
    expect((ok.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toEqual(LATENCY_BUCKETS_SECONDS)
  })

  it("records a proxy's time to first byte on its own histogram, with the web-latency boundaries", async () => {
    let clock = 0
    const split = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ meterProvider }), now: () => clock })
    const request = split.begin({}, view('splitlane_id=qa-user'))
    clock += 40
    request.firstByte() // the upstream's response headers arrived
    clock += 100
    request.firstByte() // only the first counts
    clock += 160
    request.finish({ status: 206 })
    const exported = await collect()
    const ttfb = exported.find((metric) => metric.descriptor.name === 'splitlane.request.time_to_first_byte')!
    expect(ttfb.descriptor.unit).toBe('s')
    const point = ttfb.dataPoints.find((candidate) => candidate.attributes['http.response.status_code'] === 206)!
    expect(point.attributes).toEqual({
      'feature_flag.key': 'checkout',
      'feature_flag.result.variant': 'canary',
      'feature_flag.version': 'rev-9',
      'http.response.status_code': 206,
    })
    expect(point.value).toMatchObject({ count: 1, sum: 0.04 })
    expect((point.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toEqual(LATENCY_BUCKETS_SECONDS)
    const duration = exported.find((metric) => metric.descriptor.name === 'splitlane.request.duration')!
    expect(duration.dataPoints.find((candidate) => candidate.attributes['http.response.status_code'] === 206)!.value).toMatchObject({
      sum: 0.3,
    })
  })

  it("counts a proxy's variant that failed and was served by control as an error of that variant, as the recorder does", async () => {
    const split = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ meterProvider }), now: () => 0 })
    const request = split.begin({}, view('splitlane_id=qa-user'))
    request.note('checkout', { fallback: true, error: true }) // what core's proxy routing notes on a retry on control
    request.finish({ status: 202 }) // control's answer
    const requests = (await collect()).find((metric) => metric.descriptor.name === 'splitlane.requests')!
    const point = requests.dataPoints.find((candidate) => candidate.attributes['http.response.status_code'] === 202)!
    expect(point.attributes).toMatchObject({ 'feature_flag.result.variant': 'canary', 'error.type': '_OTHER' })
    expect(point.value).toBe(1)
  })

  it('counts LLM tokens by type and their cost per experiment, variant and revision (labels from config only)', async () => {
    const calls = createCallInstrumentation({ meterProvider })
    const assignment = splitter.assign('checkout', { key: 'qa-user' })
    const usage = { status: 200, latencyMs: 900, ttfbMs: 250, promptTokens: 12, completionTokens: 30, cost: 0.0021 }
    for (const outcome of [usage, usage, { status: 200, latencyMs: 5, promptTokens: -3, completionTokens: Number.NaN, cost: Infinity }])
      calls.start(assignment, { method: 'POST' }).end(outcome)
    const exported = await collect()
    const labels = { 'feature_flag.key': 'checkout', 'feature_flag.result.variant': 'canary', 'feature_flag.version': 'rev-9' }
    const tokens = exported.find((metric) => metric.descriptor.name === 'splitlane.llm.tokens')!
    expect(tokens.descriptor.unit).toBe('{token}')
    expect(tokens.dataPoints.map((point) => [point.attributes, point.value])).toEqual(
      expect.arrayContaining([
        [{ ...labels, 'gen_ai.token.type': 'input' }, 24],
        [{ ...labels, 'gen_ai.token.type': 'output' }, 60],
      ]),
    )
    expect(tokens.dataPoints).toHaveLength(2) // nothing from the negative, NaN and infinite counts
    const cost = exported.find((metric) => metric.descriptor.name === 'splitlane.llm.cost')!
    expect(cost.dataPoints.map((point) => point.attributes)).toEqual([labels])
    expect(cost.dataPoints[0]!.value).toBeCloseTo(0.0042, 10)
    const ttfb = exported.find((metric) => metric.descriptor.name === 'splitlane.request.time_to_first_byte')!
    const call = ttfb.dataPoints.find((point) => point.attributes['http.response.status_code'] === 200)!
    expect(call.value).toMatchObject({ count: 2, sum: 0.5 })
  })

  it('with no metrics SDK, recognises the no-op meter (so requests build no attributes); one registered before the first request is used', async () => {
    // The check relies on the API handing out one shared no-op counter: pin it, or the shortcut would silently stop working.
    expect(createNoopMeter().createCounter('a')).toBe(createNoopMeter().createCounter('b'))
    expect(metrics.getMeterProvider().getMeter('x').createCounter('c')).toBe(createNoopMeter().createCounter('d'))
    // Created before the SDK is registered (as at import time), decided at the first finished request.
    const split = createHttpSplit({ splitter, otel: createOtelInstrumentation(), now: () => 0, cookie: { signed: false } })
    metrics.setGlobalMeterProvider(meterProvider)
    try {
      split.begin({}, view('splitlane_id=qa-user')).finish({ status: 418 })
      await reader.forceFlush()
      const requests = metricExporter
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((scope) => scope.metrics)
        .find((metric) => metric.descriptor.name === 'splitlane.requests')!
      expect(requests.dataPoints.some((point) => point.attributes['http.response.status_code'] === 418)).toBe(true)
    } finally {
      metrics.disable()
    }
  })

  it('writes the variants into baggage that survives a W3C header round trip, and honours it downstream', () => {
    const upstream = splitter.assign('checkout', { key: 'qa-user' })
    const carrier: Record<string, string> = {}
    propagation.inject(withVariantBaggage([upstream]), carrier)
    expect(carrier['baggage']).toBe('splitlane.checkout=canary')
    const extracted = propagation.extract(context.active(), carrier)
    expect({ ...variantsFromBaggage(extracted) }).toEqual({ checkout: 'canary' })

    const downstream = createHttpSplit({
      splitter,
      cookie: inClear,
      otel: createOtelInstrumentation({ honourBaggage: true, meterProvider }),
    })
    const ignoring = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ meterProvider }) })
    // find a session the downstream split alone would put in control
    const session = Array.from({ length: 50 }, (_, i) => `s-${i}`).find((key) => splitter.variantOf('checkout', key) === 'control')!
    context.with(extracted, () => {
      expect(downstream.begin({}, view(`splitlane_id=${session}`)).assignments['checkout']!.variant).toBe('canary')
      expect(ignoring.begin({}, view(`splitlane_id=${session}`)).assignments['checkout']!.variant).toBe('control')
    })
  })

  it('runs the rest of the request with the variant baggage when asked', () => {
    const split = createHttpSplit({ splitter, cookie: inClear, otel: createOtelInstrumentation({ propagateBaggage: true, meterProvider }) })
    const request = split.begin({}, view('splitlane_id=qa-user'))
    const seen = request.run(() => propagation.getBaggage(context.active())?.getEntry('splitlane.checkout')?.value)
    expect(seen).toBe('canary')
    expect(propagation.getBaggage(context.active())).toBeUndefined()
  })
})

async function collect() {
  await reader.forceFlush()
  return metricExporter
    .getMetrics()
    .at(-1)!
    .scopeMetrics.flatMap((scope) => scope.metrics)
}
