// Routing by variant: one handler per variant name (or `control`, the experiment's control variant).
import { SplitlaneError } from '@splitlane/core'
import { createVariantHandlers } from '@splitlane/core/adapter'
import { splitStateOf } from './middleware.js'
import type { RequestHandler } from 'express'
import type { ByVariantOptions, ExperimentName, HandlersByVariant, VariantNames } from '@splitlane/core'

/**
 * `app.get('/checkout', byVariant({ control: oldCheckout, canary: newCheckout }, { splitter, experiment: 'checkout' }))`.
 * Checked against the splitter's config now: a key naming no variant, or no `experiment` while the config has
 * several, throws `SPLITLANE_ERR_OPTIONS_INVALID`. A variant without a handler (or a request that was not
 * split) falls through with `next()` to the next matching handler.
 */
export function byVariant<N extends VariantNames, E extends ExperimentName<N> = ExperimentName<N>>(
  handlers: HandlersByVariant<N, E, RequestHandler>,
  options: ByVariantOptions<N, E>,
): RequestHandler {
  const route = createVariantHandlers<RequestHandler>({ ...options, handlers, where: 'byVariant' })
  return (req, res, next) => {
    const state = splitStateOf(req)
    const handler = route.pick(req.splitlane ?? {}, (error) => state?.report(error))
    if (handler instanceof SplitlaneError) {
      state?.report(handler)
      next(handler)
      return
    }
    if (handler === undefined) {
      next()
      return
    }
    return handler(req, res, next)
  }
}
