import { ROOT_CONTEXT, propagation } from '@opentelemetry/api'
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { createVariantSampler } from './otel-sampler.js'
import { createSplitter } from './splitter.js'

const ONE_PERCENT = {
  version: 1 as const,
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 99 },
        { name: 'canary', weight: 1 },
      ],
    },
  },
}
const splitter = createSplitter({ config: ONE_PERCENT })

function tracerWith(sampler: ConstructorParameters<typeof ParentBasedSampler>[0]['root']) {
  const spans = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({
    sampler: createVariantSampler({ sampler: new ParentBasedSampler({ root: sampler }), config: splitter }),
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  return { tracer: provider.getTracer('test'), spans }
}

const variantAttributes = (variant: string) => ({ 'feature_flag.key': 'checkout', 'feature_flag.result.variant': variant })

describe('createVariantSampler with the real SDK', () => {
  it('keeps every span of a 1% canary named at span start, and leaves stable to the user sampler (here: nothing)', () => {
    const { tracer, spans } = tracerWith(new AlwaysOffSampler())
    for (let i = 0; i < 50; i++) {
      tracer.startSpan('GET /checkout', { attributes: variantAttributes('canary') }).end()
      tracer.startSpan('GET /checkout', { attributes: variantAttributes('stable') }).end()
    }
    const finished = spans.getFinishedSpans()
    expect(finished).toHaveLength(50)
    expect(finished.every((span) => span.attributes['splitlane.sampled_for'] === 'checkout=canary')).toBe(true)
  })

  it('reads the variant from splitlane.* baggage in the parent context (an adapter with propagateBaggage, or upstream)', () => {
    const { tracer, spans } = tracerWith(new AlwaysOffSampler())
    const withVariant = (variant: string) =>
      propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'splitlane.checkout': { value: variant } }))
    tracer.startSpan('SELECT orders', {}, withVariant('canary')).end()
    tracer.startSpan('SELECT orders', {}, withVariant('stable')).end()
    tracer
      .startSpan(
        'SELECT orders',
        {},
        propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'splitlane.toString': { value: 'x' } })),
      )
      .end()
    expect(spans.getFinishedSpans().map((span) => span.attributes['splitlane.sampled_for'])).toEqual(['checkout=canary'])
  })

  it('follows live config updates: a canary ramped to 50% goes back to the user sampler', () => {
    const local = createSplitter({ config: ONE_PERCENT })
    const spans = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({
      sampler: createVariantSampler({ sampler: new AlwaysOffSampler(), config: () => local.config, keepBelowPercent: 5 }),
      spanProcessors: [new SimpleSpanProcessor(spans)],
    })
    const tracer = provider.getTracer('test')
    tracer.startSpan('a', { attributes: variantAttributes('canary') }).end()
    local.update({ version: 1, experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] } } })
    tracer.startSpan('b', { attributes: variantAttributes('canary') }).end()
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['a'])
  })

  it('samples the rest as the user sampler says (ratio 1: everything)', () => {
    const { tracer, spans } = tracerWith(new TraceIdRatioBasedSampler(1))
    tracer.startSpan('GET /', { attributes: variantAttributes('stable') }).end()
    tracer.startSpan('GET /').end()
    expect(spans.getFinishedSpans()).toHaveLength(2)
  })
})
