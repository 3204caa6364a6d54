// `@splitlane/core/otel`: OpenTelemetry for splitlane. This entry (this file and otel-sampler.ts, which it
// re-exports) is the only part of core that imports @opentelemetry/api (an optional peer); the main entry
// never reaches it. Nothing here throws into the request.
import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Span,
  type TracerProvider,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api'
import { LATENCY_BUCKETS_SECONDS } from './metrics/buckets.js'
import { isFailure } from './metrics/failure.js'
import { otelReason } from './reasons.js'
import type { Outcome } from './metrics/types.js'
import type { HttpInstrumentation } from './request/types.js'
import type { CallInstrumentation } from './routing/instrumentation.js'
import {
  ATTR_ERROR_TYPE,
  ATTR_FEATURE_FLAG_CONTEXT_ID,
  ATTR_FEATURE_FLAG_KEY,
  ATTR_FEATURE_FLAG_PROVIDER_NAME,
  ATTR_FEATURE_FLAG_RESULT_REASON,
  ATTR_FEATURE_FLAG_RESULT_VARIANT,
  ATTR_FEATURE_FLAG_VERSION,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SPLITLANE_FALLBACK,
  ATTR_SPLITLANE_SHADOW,
  BAGGAGE_PREFIX,
  EVENT_FEATURE_FLAG_EVALUATION,
  METRIC_LLM_COST,
  METRIC_LLM_TOKENS,
  METRIC_REQUEST_DURATION,
  METRIC_REQUEST_TIME_TO_FIRST_BYTE,
  METRIC_REQUESTS,
  PROVIDER_NAME,
} from './semconv.js'
import type { Assignment } from './types.js'

export * from './semconv.js'
export * from './otel-sampler.js'

export interface OtelOptions {
  /** Where the instruments come from; default: the global meter provider, read at the first request. */
  meterProvider?: MeterProvider
  /** Write each variant into W3C baggage, so calls made inside the handler carry it. Default `false`. */
  propagateBaggage?: boolean
  /** Serve the variant named in incoming baggage instead of re-rolling (for downstream services). Default `false`. */
  honourBaggage?: boolean
  /** Put the unit key on span events as `feature_flag.context.id`. It is personal data: default `false`. */
  includeKey?: boolean
}

/** The `feature_flag.evaluation` event's attributes for one assignment. */
export function evaluationAttributes(assignment: Assignment, options: { includeKey?: boolean } = {}): Attributes {
  const attributes: Attributes = {
    [ATTR_FEATURE_FLAG_KEY]: assignment.experiment,
    [ATTR_FEATURE_FLAG_PROVIDER_NAME]: PROVIDER_NAME,
    [ATTR_FEATURE_FLAG_RESULT_REASON]: otelReason(assignment.reason),
  }
  if (assignment.variant !== null) attributes[ATTR_FEATURE_FLAG_RESULT_VARIANT] = assignment.variant
  if (assignment.revision !== null) attributes[ATTR_FEATURE_FLAG_VERSION] = String(assignment.revision)
  if (assignment.errorCode !== undefined) attributes[ATTR_ERROR_TYPE] = assignment.errorCode
  if (options.includeKey === true && assignment.key !== null) attributes[ATTR_FEATURE_FLAG_CONTEXT_ID] = assignment.key
  return attributes
}

/** Adds a `feature_flag.evaluation` event per assignment to the span (default: the active one). */
export function recordEvaluations(assignments: Iterable<Assignment>, options: { includeKey?: boolean; span?: Span } = {}): void {
  const span = options.span ?? trace.getActiveSpan()
  if (span === undefined || !span.isRecording()) return
  for (const assignment of assignments) span.addEvent(EVENT_FEATURE_FLAG_EVALUATION, evaluationAttributes(assignment, options))
}

/** A context whose baggage carries `splitlane.<experiment>=<variant>` for each assignment. */
export function withVariantBaggage(assignments: Iterable<Assignment>, parent: Context = context.active()): Context {
  let baggage = propagation.getBaggage(parent) ?? propagation.createBaggage()
  for (const { experiment, variant } of assignments)
    if (variant !== null) baggage = baggage.setEntry(`${BAGGAGE_PREFIX}${experiment}`, { value: variant })
  return propagation.setBaggage(parent, baggage)
}

/** The variants an upstream service put in the baggage: experiment -> variant. */
export function variantsFromBaggage(from: Context = context.active()): Record<string, string> {
  const result = Object.create(null) as Record<string, string>
  for (const [name, entry] of propagation.getBaggage(from)?.getAllEntries() ?? [])
    if (name.startsWith(BAGGAGE_PREFIX) && name.length > BAGGAGE_PREFIX.length) result[name.slice(BAGGAGE_PREFIX.length)] = entry.value
  return result
}

interface Instruments {
  requests: Counter
  duration: Histogram
  timeToFirstByte: Histogram
  tokens: Counter
  cost: Counter
}

/** What a no-op meter hands out (the API returns one shared no-op counter): how "no metrics SDK" is recognised. */
const NOOP_COUNTER = createNoopMeter().createCounter(METRIC_REQUESTS)

/** The instruments, or `null` when the meter is a no-op (no SDK registered): then nothing is built per request. */
function createInstruments(meter: Meter): Instruments | null {
  const requests = meter.createCounter(METRIC_REQUESTS, { description: 'Requests served, per experiment and variant', unit: '{request}' })
  if (requests === NOOP_COUNTER) return null
  // Both histograms take the documented web-latency boundaries (docs/reference/opentelemetry.md); a View can override them.
  const advice = { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] }
  return {
    requests,
    duration: meter.createHistogram(METRIC_REQUEST_DURATION, {
      description: 'Request duration, per experiment and variant',
      unit: 's',
      advice,
    }),
    timeToFirstByte: meter.createHistogram(METRIC_REQUEST_TIME_TO_FIRST_BYTE, {
      description: "Time to the first byte of the upstream's response, per experiment and variant",
      unit: 's',
      advice,
    }),
    tokens: meter.createCounter(METRIC_LLM_TOKENS, {
      description: 'LLM tokens used, per experiment, variant and token type',
      unit: '{token}',
    }),
    cost: meter.createCounter(METRIC_LLM_COST, {
      description: "LLM cost, per experiment and variant, in the currency of the upstream's prices",
      unit: '{currency}',
    }),
  }
}

/** A count an LLM response reported: only finite positive numbers are added (a counter refuses negatives). */
const positive = (value: number | undefined): value is number => value !== undefined && value > 0 && value < Infinity

/** Records one finished request on the instruments, once per experiment. Labels come from the config alone. */
function recordOutcome(instruments: Instruments, assignments: readonly Assignment[], outcome: Outcome, extra: Attributes = {}): void {
  for (const { experiment, variant, revision } of assignments) {
    if (variant === null) continue
    const labels: Attributes = { ...extra, [ATTR_FEATURE_FLAG_KEY]: experiment, [ATTR_FEATURE_FLAG_RESULT_VARIANT]: variant }
    // The config revision, so a fleet controller can tell which instances serve which revision.
    if (revision !== null) labels[ATTR_FEATURE_FLAG_VERSION] = String(revision)
    if (positive(outcome.promptTokens)) instruments.tokens.add(outcome.promptTokens, { ...labels, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' })
    if (positive(outcome.completionTokens))
      instruments.tokens.add(outcome.completionTokens, { ...labels, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' })
    // Copies: the SDK may keep the attributes object it is given, and the request's status goes into `labels` next.
    if (positive(outcome.cost)) instruments.cost.add(outcome.cost, { ...labels })
    if (outcome.status !== undefined) labels[ATTR_HTTP_RESPONSE_STATUS_CODE] = outcome.status
    if (isFailure(outcome)) labels[ATTR_ERROR_TYPE] = outcome.error === true ? '_OTHER' : String(outcome.status)
    instruments.requests.add(1, labels)
    if (outcome.latencyMs !== undefined) instruments.duration.record(outcome.latencyMs / 1000, labels)
    if (outcome.ttfbMs !== undefined) instruments.timeToFirstByte.record(outcome.ttfbMs / 1000, labels)
  }
}

/**
 * The OpenTelemetry hooks for an adapter's `otel` option: span events, baggage out and in, and a
 * request counter and duration histogram labelled with `feature_flag.key` and `feature_flag.result.variant`.
 */
export function createOtelInstrumentation(options: OtelOptions = {}): HttpInstrumentation {
  // Decided once, at the first finished request (as the global provider is read then): with no metrics SDK
  // registered, requests cost no attribute objects and no calls into no-op instruments.
  let instruments: Instruments | null | undefined
  const instrumentsNow = () => (instruments === undefined ? (instruments = instrumentsOf(options)) : instruments)
  return {
    inherited: options.honourBaggage === true ? () => variantsFromBaggage() : undefined,
    assigned: (assignments) => recordEvaluations(assignments, options),
    run: options.propagateBaggage === true ? (assignments, fn) => context.with(withVariantBaggage(assignments), fn) : undefined,
    finished: (assignments, outcome) => {
      const now = instrumentsNow()
      if (now !== null) recordOutcome(now, assignments, outcome)
    },
  }
}

const instrumentsOf = (options: { meterProvider?: MeterProvider }) =>
  createInstruments((options.meterProvider ?? metrics).getMeter('@splitlane/core'))

export interface CallOtelOptions extends Pick<OtelOptions, 'meterProvider' | 'propagateBaggage' | 'includeKey'> {
  /** Where the client spans come from; default: the global tracer provider. */
  tracerProvider?: TracerProvider
}

/**
 * OpenTelemetry for outgoing calls (`createSplitFetch`'s `otel` option): a client span per call
 * with the `feature_flag.evaluation` event (marked `splitlane.shadow` for mirrors), its
 * `traceparent` injected into the call, the variant in W3C baggage when `propagateBaggage` is on,
 * and the same counter and histogram as server requests.
 */
export function createCallInstrumentation(options: CallOtelOptions = {}): CallInstrumentation {
  let instruments: Instruments | null | undefined
  const instrumentsNow = () => (instruments === undefined ? (instruments = instrumentsOf(options)) : instruments)
  const tracer = () => (options.tracerProvider ?? trace.getTracerProvider()).getTracer('@splitlane/core')
  return {
    start(assignment, call) {
      const shadow = call.shadow === true
      const parent = context.active()
      const span = tracer().startSpan(
        shadow ? `${call.method} (shadow)` : call.method,
        { kind: SpanKind.CLIENT, attributes: { [ATTR_HTTP_REQUEST_METHOD]: call.method, [ATTR_SPLITLANE_SHADOW]: shadow } },
        parent,
      )
      recordEvaluations([assignment], { includeKey: options.includeKey, span })
      let outgoing = trace.setSpan(parent, span)
      if (options.propagateBaggage === true) outgoing = withVariantBaggage([assignment], outgoing)
      const carrier: Record<string, string> = {}
      propagation.inject(outgoing, carrier)
      return {
        headers: Object.entries(carrier),
        end(outcome) {
          const extra: Attributes = shadow ? { [ATTR_SPLITLANE_SHADOW]: true } : {}
          if (outcome.fallbackReason !== undefined) extra[ATTR_SPLITLANE_FALLBACK] = outcome.fallbackReason
          if (outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status)
          if (outcome.fallbackReason !== undefined) span.setAttribute(ATTR_SPLITLANE_FALLBACK, outcome.fallbackReason)
          if (isFailure(outcome)) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
          const now = instrumentsNow()
          if (now !== null) recordOutcome(now, [assignment], outcome, extra)
        },
      }
    },
  }
}
