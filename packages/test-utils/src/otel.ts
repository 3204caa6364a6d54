// The real OpenTelemetry SDK with in-memory exporters, and a stand-in for the HTTP server
// instrumentation (extract the incoming context, run the request in an active server span).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SpanKind, context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

export interface OtelHarness {
  spans: InMemorySpanExporter
  meterProvider: MeterProvider
  /** Every metric collected so far (cumulative). */
  collect(): Promise<MetricData[]>
  shutdown(): Promise<void>
}

/** Installs the SDK globally (tracer provider, AsyncLocalStorage context manager, W3C propagators). */
export function installOtel(): OtelHarness {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(tracerProvider)
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }))
  return {
    spans,
    meterProvider,
    async collect() {
      await reader.forceFlush()
      return (
        exporter
          .getMetrics()
          .at(-1)
          ?.scopeMetrics.flatMap((scope) => scope.metrics) ?? []
      )
    },
    async shutdown() {
      await meterProvider.shutdown()
      await tracerProvider.shutdown()
      trace.disable()
      propagation.disable()
      context.disable()
    },
  }
}

/** Runs `handle` the way @opentelemetry/instrumentation-http would: incoming context extracted, server span active. */
export function withServerSpan(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const parent = propagation.extract(context.active(), req.headers)
  const span = trace.getTracer('test-http').startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, parent)
  res.once('close', () => span.end())
  context.with(trace.setSpan(parent, span), handle)
}

/** An outgoing call made inside a handler, carrying the active context (traceparent and baggage). */
export async function outgoing(url: string): Promise<string> {
  const headers: Record<string, string> = {}
  propagation.inject(context.active(), headers)
  const response = await fetch(url, { headers })
  return response.text()
}
