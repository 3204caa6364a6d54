import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createSplitter } from '@splitlane/core'
import { createCallInstrumentation } from '@splitlane/core/otel'
import { startFakeOpenAi, usageFor } from '@splitlane/test-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstream, type TestServer } from '../test/servers.js'
import { createSplitFetch } from './index.js'

const spans = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })
const meterProvider = new MeterProvider({ readers: [reader] })
let primary: TestServer
let mirror: TestServer

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(tracerProvider)
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }))
  ;[primary, mirror] = await Promise.all([startUpstream('primary'), startUpstream('mirror')])
})
afterAll(async () => {
  await Promise.all([primary.close(), mirror.close(), meterProvider.shutdown(), tracerProvider.shutdown()])
  trace.disable()
  propagation.disable()
  context.disable()
})

const splitter = () =>
  createSplitter({
    config: { version: 1, revision: 7, experiments: { api: { variants: [{ name: 'canary', value: 'http://placeholder' }] } } },
  })

describe('OpenTelemetry for outgoing calls', () => {
  it('injects the client span as traceparent, the variant as baggage, and marks the shadow span and metrics', async () => {
    const otel = createCallInstrumentation({ propagateBaggage: true, meterProvider })
    const splitFetch = createSplitFetch({
      splitter: splitter(),
      experiment: 'api',
      key: () => 'user-1',
      upstreams: { canary: primary.url },
      shadow: { upstream: mirror.url },
      otel,
    })
    const parent = trace.getTracer('test').startSpan('handler')
    const response = await context.with(trace.setSpan(context.active(), parent), () => splitFetch('http://api.internal/hello'))
    await response.text()
    parent.end()
    const deadline = Date.now() + 5000
    while (spans.getFinishedSpans().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))

    const finished = spans.getFinishedSpans()
    const client = finished.find((span) => span.name === 'GET')!
    const shadowSpan = finished.find((span) => span.name === 'GET (shadow)')!
    const { traceId } = parent.spanContext()
    expect(client.spanContext().traceId).toBe(traceId)
    expect(client.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
    const sent = primary.requests.at(-1)!.headers
    expect(sent.traceparent).toBe(`00-${traceId}-${client.spanContext().spanId}-01`)
    expect(sent.baggage).toContain('splitlane.api=canary')
    expect(client.events[0]!.name).toBe('feature_flag.evaluation')
    expect(client.events[0]!.attributes).toMatchObject({
      'feature_flag.key': 'api',
      'feature_flag.result.variant': 'canary',
      'feature_flag.version': '7',
    })
    expect(client.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 })
    expect(shadowSpan.attributes['splitlane.shadow']).toBe(true)
    expect(mirror.requests.at(-1)!.headers.traceparent).toBe(`00-${traceId}-${shadowSpan.spanContext().spanId}-01`)

    await reader.forceFlush()
    const points = metricExporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'splitlane.requests')!.dataPoints
    expect(points.map((point) => [point.attributes['splitlane.shadow'] ?? false, point.value])).toEqual([
      [false, 1],
      [true, 1],
    ])
  })

  it('sends no baggage unless asked, and without otel sends no traceparent', async () => {
    const traced = createSplitFetch({
      splitter: splitter(),
      experiment: 'api',
      upstreams: { canary: primary.url },
      otel: createCallInstrumentation(),
    })
    await (await traced('http://api.internal/a')).text()
    expect(primary.requests.at(-1)!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    expect(primary.requests.at(-1)!.headers.baggage).toBeUndefined()
    const plain = createSplitFetch({ splitter: splitter(), experiment: 'api', upstreams: { canary: primary.url } })
    await (await plain('http://api.internal/b')).text()
    expect(primary.requests.at(-1)!.headers.traceparent).toBeUndefined()
  })

  it('records LLM tokens by type, cost and time to first byte per variant, from the usage in the response (JSON and streamed)', async () => {
    const openai = await startFakeOpenAi()
    const ownReader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 3_600_000,
    })
    const own = new MeterProvider({ readers: [ownReader] })
    try {
      const prices = { mini: { prompt: 0.15, completion: 0.6 }, large: { prompt: 2.5, completion: 10 } }
      const variant = (name: keyof typeof prices) => ({
        name,
        value: { url: `${openai.url}/v1`, model: `gpt-${name}`, prices: prices[name] },
      })
      const llm = createSplitter({
        config: { version: 1, revision: 'llm-3', experiments: { chat: { variants: [variant('mini'), variant('large')] } } },
      })
      const llmFetch = createSplitFetch({
        splitter: llm,
        experiment: 'chat',
        key: (call) => call.headers.get('x-user-id'),
        otel: createCallInstrumentation({ meterProvider: own }),
      })
      const want: Record<string, { calls: number; input: number; output: number; cost: number }> = {}
      for (let i = 0; i < 12; i++) {
        const content = 'a few words '.repeat((i % 3) + 1).trim()
        const stream = i % 2 === 1
        const response = await llmFetch('http://llm/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': `llm-user-${i}` },
          body: JSON.stringify({ messages: [{ content }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
        })
        await response.text()
        const name = llm.variantOf('chat', `llm-user-${i}`) as keyof typeof prices
        const usage = usageFor([{ content }], `gpt-${name}`)
        const tally = (want[name] ??= { calls: 0, input: 0, output: 0, cost: 0 })
        tally.calls++
        tally.input += usage.prompt_tokens
        tally.output += usage.completion_tokens
        tally.cost += (usage.prompt_tokens * prices[name].prompt + usage.completion_tokens * prices[name].completion) / 1_000_000
      }
      expect(Object.keys(want).sort()).toEqual(['large', 'mini']) // both variants served
      const { resourceMetrics } = await ownReader.collect()
      const exported = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
      const points = (name: string) => exported.find((metric) => metric.descriptor.name === name)!.dataPoints
      for (const [name, tally] of Object.entries(want)) {
        const labels = { 'feature_flag.key': 'chat', 'feature_flag.result.variant': name, 'feature_flag.version': 'llm-3' }
        const tokens = points('splitlane.llm.tokens').filter((point) => point.attributes['feature_flag.result.variant'] === name)
        expect(tokens.map((point) => [point.attributes, point.value])).toEqual(
          expect.arrayContaining([
            [{ ...labels, 'gen_ai.token.type': 'input' }, tally.input],
            [{ ...labels, 'gen_ai.token.type': 'output' }, tally.output],
          ]),
        )
        expect(tokens).toHaveLength(2)
        const cost = points('splitlane.llm.cost').find((point) => point.attributes['feature_flag.result.variant'] === name)!
        expect(cost.attributes).toEqual(labels)
        expect(cost.value as number).toBeCloseTo(tally.cost, 12)
        const ttfb = points('splitlane.request.time_to_first_byte').filter(
          (point) => point.attributes['feature_flag.result.variant'] === name,
        )
        expect(ttfb.reduce((sum, point) => sum + (point.value as { count: number }).count, 0)).toBe(tally.calls)
      }
    } finally {
      await Promise.all([openai.close(), own.shutdown()])
    }
  })
})
