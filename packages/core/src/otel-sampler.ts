// A trace sampler that keeps every trace of a small variant (a 1% canary still has traces to
// compare) and leaves the rest to the user's own sampler. It decides from what is known when a span
// starts: the `feature_flag.key` / `feature_flag.result.variant` attributes given at span start, and
// the `splitlane.<experiment>=<variant>` W3C baggage entries of the parent context (set by an adapter
// with `propagateBaggage`, or by an upstream service).
import { propagation, type Attributes, type Context, type Link, type SpanKind, type TraceState } from '@opentelemetry/api'
import { own } from './own.js'
import { ATTR_FEATURE_FLAG_KEY, ATTR_FEATURE_FLAG_RESULT_VARIANT, BAGGAGE_PREFIX } from './semconv.js'
import type { ParsedConfig } from './types.js'

/** The shape of `Sampler` from @opentelemetry/sdk-trace-base (core depends on the API only). */
export interface SamplerLike {
  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResultLike
  toString(): string
}

/** `decision`: 0 NOT_RECORD, 1 RECORD, 2 RECORD_AND_SAMPLED (SamplingDecision's values). */
export interface SamplingResultLike {
  decision: number
  attributes?: Readonly<Attributes>
  traceState?: TraceState
}

export interface VariantSamplerOptions {
  /** Your sampler: it decides every span not kept for its variant (e.g. `new ParentBasedSampler(...)`). */
  sampler: SamplerLike
  /** The config in force: a splitter (read on every decision, so live updates count) or a getter. */
  config: { readonly config: ParsedConfig } | (() => ParsedConfig)
  /** Keep every trace of a variant whose share is under this percent (default 10). */
  keepBelowPercent?: number
}

const RECORD_AND_SAMPLED = 2
/** Marks spans kept for their variant's small share, so trace queries can tell them apart. */
export const ATTR_SPLITLANE_SAMPLED_FOR = 'splitlane.sampled_for'

/** Variant shares in percent per experiment, computed once per config object. */
const sharesCache = new WeakMap<ParsedConfig, Map<string, Map<string, number>>>()
function shareOf(config: ParsedConfig, experiment: string, variant: string): number | undefined {
  let shares = sharesCache.get(config)
  if (shares === undefined) {
    shares = new Map()
    for (const [name, spec] of Object.entries(config.experiments)) {
      const total = spec.variants.reduce((sum, entry) => sum + entry.weight, 0)
      shares.set(name, new Map(spec.variants.map((entry) => [entry.name, total > 0 ? (entry.weight / total) * 100 : 0])))
    }
    sharesCache.set(config, shares)
  }
  return shares.get(experiment)?.get(variant)
}

/** A sampler keeping every trace of a variant under `keepBelowPercent` of its experiment's traffic. */
export function createVariantSampler(options: VariantSamplerOptions): SamplerLike {
  const threshold = options.keepBelowPercent ?? 10
  const configNow = typeof options.config === 'function' ? options.config : () => (options.config as { config: ParsedConfig }).config
  const small = (config: ParsedConfig, experiment: unknown, variant: unknown) => {
    if (typeof experiment !== 'string' || typeof variant !== 'string') return false
    const share = shareOf(config, experiment, variant)
    // A share of 0 serves nobody by the split (overrides only): still a small variant worth keeping.
    return share !== undefined && share < threshold
  }
  return {
    shouldSample(context, traceId, spanName, spanKind, attributes, links) {
      try {
        const config = configNow()
        const experiment = attributes[ATTR_FEATURE_FLAG_KEY]
        const variant = attributes[ATTR_FEATURE_FLAG_RESULT_VARIANT]
        if (small(config, experiment, variant))
          return { decision: RECORD_AND_SAMPLED, attributes: { [ATTR_SPLITLANE_SAMPLED_FOR]: `${String(experiment)}=${String(variant)}` } }
        for (const [name, entry] of propagation.getBaggage(context)?.getAllEntries() ?? []) {
          if (!name.startsWith(BAGGAGE_PREFIX)) continue
          const fromBaggage = name.slice(BAGGAGE_PREFIX.length)
          if (own(config.experiments, fromBaggage) !== undefined && small(config, fromBaggage, entry.value))
            return { decision: RECORD_AND_SAMPLED, attributes: { [ATTR_SPLITLANE_SAMPLED_FOR]: `${fromBaggage}=${entry.value}` } }
        }
      } catch {
        // Never fail a span over sampling: fall through to the user's sampler.
      }
      return options.sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links)
    },
    toString() {
      return `SplitlaneVariantSampler{keepBelowPercent=${threshold}, sampler=${options.sampler.toString()}}`
    },
  }
}
