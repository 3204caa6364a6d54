// Routing inside withSplitlane: a handler per variant (the proxy to the variant's upstream is in proxy.ts).
import { pickAssignment } from '@splitlane/core'
import { assignmentsOf } from './server.js'
import type { ByVariantOptions, FetchHandler } from './types.js'

/** `byVariant({ v1: handlerA, v2: handlerB }, fallback)`: a variant without a handler (or no split) goes to `fallback`. */
export function byVariant<Rest extends unknown[]>(
  handlers: Readonly<Record<string, FetchHandler<Rest>>>,
  fallback: FetchHandler<Rest>,
  options: ByVariantOptions = {},
): FetchHandler<Rest> {
  return (request, ...rest) => {
    const variant = pickAssignment(assignmentsOf(request), options.experiment)?.variant
    const handler = variant !== null && variant !== undefined && Object.hasOwn(handlers, variant) ? handlers[variant]! : fallback
    return handler(request, ...rest)
  }
}
