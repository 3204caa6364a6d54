// The scenario app's `GET /routed` handlers, kept to the variants the routed experiment has: byVariant
// rejects, when the route is built, a handler naming no variant (some scenarios' configs lack v1 or v2).
import type { ScenarioServerSpec } from './scenarios.js'

export function routedHandlers<H>(spec: ScenarioServerSpec, handlers: Readonly<Record<string, H>>): Record<string, H> {
  const experiments = spec.options.splitter.config.experiments
  const experiment = Object.hasOwn(experiments, spec.routedExperiment) ? experiments[spec.routedExperiment] : undefined
  const names = new Set(experiment?.variants.map((variant) => variant.name))
  return Object.fromEntries(Object.entries(handlers).filter(([name]) => names.has(name)))
}
