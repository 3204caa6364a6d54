// Routing inside withSplitlane: a handler per variant (the proxy to the variant's upstream is in proxy.ts).
import { SplitlaneError } from '@splitlane/core'
import { createVariantHandlers } from '@splitlane/core/adapter'
import { assignmentsOf, serverSplitOf, textResponse as text } from './server.js'
import type { ByVariantOptions, ExperimentName, HandlersByVariant, VariantNames } from '@splitlane/core'
import type { FetchHandler } from './server-types.js'

/**
 * `byVariant({ control: oldCheckout, canary: newCheckout }, oldCheckout, { splitter, experiment: 'checkout' })`: a variant
 * without a handler (or no split) goes to `fallback`. Checked against the splitter's config now: a key naming no
 * variant, or no `experiment` while the config has several, throws `SPLITLANE_ERR_OPTIONS_INVALID`.
 */
export function byVariant<Rest extends unknown[], N extends VariantNames, E extends ExperimentName<N> = ExperimentName<N>>(
  handlers: HandlersByVariant<N, E, FetchHandler<Rest>>,
  fallback: FetchHandler<Rest>,
  options: ByVariantOptions<N, E>,
): FetchHandler<Rest> {
  const route = createVariantHandlers<FetchHandler<Rest>>({ ...options, handlers, where: 'byVariant' })
  return (request, ...rest) => {
    const split = serverSplitOf(request)
    const handler = route.pick(assignmentsOf(request), (error) => split?.report(error))
    if (handler instanceof SplitlaneError) {
      split?.report(handler) // a second experiment came with a live update: never serve one variant labelled as another
      return text(500, `splitlane: ${handler.message}`)
    }
    return (handler ?? fallback)(request, ...rest)
  }
}
