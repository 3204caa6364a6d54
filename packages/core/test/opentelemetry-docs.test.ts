// docs/reference/opentelemetry.md cannot go stale: every constant of semconv.ts, and every name the
// real OpenTelemetry SDK receives from splitlane, must appear on it.
import { readFileSync } from 'node:fs'
import { context, propagation, trace } from '@opentelemetry/api'
import type { Histogram } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { installOtelSdk } from './otel-sdk.js'
import { createHttpSplit, type RequestView } from '../src/adapter.js'
import { createSplitter } from '../src/index.js'
import { createCallInstrumentation, createOtelInstrumentation, recordEvaluations } from '../src/otel.js'
import * as semconv from '../src/semconv.js'

const page = readFileSync(new URL('../../../docs/reference/opentelemetry.md', import.meta.url), 'utf8')
const code = (name: string) => `\`${name}\``

const { spans, tracerProvider, metricExporter, reader, meterProvider } = installOtelSdk()

const splitter = createSplitter({
  config: { version: 1, revision: 'r1', experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] } } },
})
const view: RequestView = {
  header: (name) => (name === 'cookie' ? 'splitlane_id=user-1' : undefined),
  ip: () => undefined,
  path: () => '/',
}

describe('docs/reference/opentelemetry.md', () => {
  it('lists every constant of semconv.ts', () => {
    const constants: [string, string][] = Object.entries(semconv)
    expect(constants.length).toBeGreaterThan(15)
    const missing = constants.filter(([name, value]) => {
      const shown = value.endsWith('.') ? code(`${value}<experiment>`) : code(value)
      return !page.includes(`| ${code(name)} `) || !page.includes(shown)
    })
    expect(missing).toEqual([])
  })

  it('names everything the OpenTelemetry SDK receives from splitlane', async () => {
    // a server request with every option on, one failing request, an evaluation with an error, and routed calls
    const split = createHttpSplit({
      splitter,
      cookie: { signed: false }, // the view's cookie carries the key in clear
      otel: createOtelInstrumentation({ meterProvider, propagateBaggage: true, includeKey: true }),
    })
    const baggage: string[] = []
    trace.getTracer('test').startActiveSpan('server', (span) => {
      const request = split.begin({}, view)
      request.firstByte()
      request.run(() =>
        baggage.push(
          ...(propagation
            .getBaggage(context.active())
            ?.getAllEntries()
            .map(([name]) => name) ?? []),
        ),
      )
      request.finish({ status: 503 })
      split.begin({}, view).finish({ error: true })
      recordEvaluations([splitter.assign('checkout', { key: {} as unknown as string })])
      span.end()
    })
    const calls = createCallInstrumentation({ meterProvider, tracerProvider, propagateBaggage: true })
    const assignment = splitter.assign('checkout', { key: 'user-1' })
    const primary = calls.start(assignment, { method: 'GET' })
    primary.end({
      status: 502,
      latencyMs: 12,
      ttfbMs: 5,
      promptTokens: 3,
      completionTokens: 4,
      cost: 0.001,
      fallbackReason: 'retryable_status',
    })
    calls.start(assignment, { method: 'GET', shadow: true }).end({ status: 200, latencyMs: 3 })
    await reader.forceFlush()

    const finished = spans.getFinishedSpans()
    const metrics = metricExporter.getMetrics().at(-1)!.scopeMetrics
    const duration = metrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === semconv.METRIC_REQUEST_DURATION)!
    const names = new Set<string>([
      ...finished.filter((span) => span.name !== 'server').flatMap((span) => [span.name, span.instrumentationScope.name]),
      ...finished.flatMap((span) => Object.keys(span.attributes)),
      ...finished.flatMap((span) => span.events.flatMap((event) => [event.name, ...Object.keys(event.attributes ?? {})])),
      ...metrics.map((scope) => scope.scope.name),
      ...metrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) => [
          metric.descriptor.name,
          metric.descriptor.unit,
          metric.descriptor.description,
          ...metric.dataPoints.flatMap((point) => Object.keys(point.attributes)),
        ]),
      ),
    ])
    expect([...names]).toEqual(
      expect.arrayContaining(['GET', 'GET (shadow)', '@splitlane/core', 'feature_flag.context.id', 'error.type', 'gen_ai.token.type']),
    )
    expect([...names]).toEqual(
      expect.arrayContaining([semconv.METRIC_REQUEST_TIME_TO_FIRST_BYTE, semconv.METRIC_LLM_TOKENS, semconv.METRIC_LLM_COST]),
    )
    expect([...names].filter((name) => !page.includes(code(name)) && !page.includes(`| ${name} `))).toEqual([])

    expect(baggage).toEqual(['splitlane.checkout'])
    expect(page).toContain(code(`${semconv.BAGGAGE_PREFIX}<experiment>`))
    const boundaries = (duration.dataPoints[0]!.value as Histogram).buckets.boundaries
    expect(boundaries.length).toBeGreaterThan(5)
    expect(page).toContain(code(boundaries.join(', ')))
    const ttfb = metrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === semconv.METRIC_REQUEST_TIME_TO_FIRST_BYTE)!
    expect((ttfb.dataPoints[0]!.value as Histogram).buckets.boundaries).toEqual(boundaries) // the page gives one list for both
  })
})
