import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createSplitter } from '@splitlane/core'
import { createCallInstrumentation } from '@splitlane/core/otel'
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
    expect(client.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'splitlane.shadow': false })
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
})
