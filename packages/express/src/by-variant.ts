// Routing by variant: one handler per variant name.
import { ErrorCode, SplitlaneError, pickAssignment } from '@splitlane/core'
import { splitStateOf } from './middleware.js'
import type { RequestHandler } from 'express'
import type { ByVariantOptions } from './types.js'

/**
 * `app.get('/checkout', byVariant({ control: handlerA, canary: handlerB }))`. A variant without a
 * handler (or a request that was not split) falls through with `next()` to the next matching handler.
 */
export function byVariant(handlers: Readonly<Record<string, RequestHandler>>, options: ByVariantOptions = {}): RequestHandler {
  return (req, res, next) => {
    const assignments = req.splitlane ?? {}
    if (options.experiment === undefined && Object.keys(assignments).length > 1) {
      // Routing by a guess would serve one variant while the header names another (a second experiment, maybe added live).
      const error = new SplitlaneError(
        ErrorCode.OptionsInvalid,
        `byVariant: the request has several experiments (${Object.keys(assignments).join(', ')}); name one: byVariant(handlers, { experiment })`,
      )
      splitStateOf(req)?.report(error)
      next(error)
      return
    }
    const variant = pickAssignment(assignments, options.experiment)?.variant
    const handler = variant !== null && variant !== undefined && Object.hasOwn(handlers, variant) ? handlers[variant] : undefined
    if (handler === undefined) {
      next()
      return
    }
    return handler(req, res, next)
  }
}
