// Routing by variant: one handler per variant name.
import { pickAssignment } from '@splitlane/core'
import type { RequestHandler } from 'express'
import type { ByVariantOptions } from './types.js'

/**
 * `app.get('/checkout', byVariant({ control: handlerA, canary: handlerB }))`. A variant without a
 * handler (or a request that was not split) falls through with `next()` to the next matching handler.
 */
export function byVariant(handlers: Readonly<Record<string, RequestHandler>>, options: ByVariantOptions = {}): RequestHandler {
  return (req, res, next) => {
    const variant = pickAssignment(req.splitlane ?? {}, options.experiment)?.variant
    const handler = variant !== null && variant !== undefined && Object.hasOwn(handlers, variant) ? handlers[variant] : undefined
    if (handler === undefined) {
      next()
      return
    }
    return handler(req, res, next)
  }
}
