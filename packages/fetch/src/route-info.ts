// How each response of `createSplitFetch` was routed, kept on the response itself.
import type { Assignment, Splitter } from '@splitlane/core'
import { explainFallback, type Fallback } from '@splitlane/core/adapter'
import type { RouteInfo } from './types.js'

// How each response was routed, kept on the response itself (a WeakMap entry per call costs the GC
// far more) as plain data; routeOf builds the RouteInfo when asked.
const ROUTE = Symbol('splitlane.route')
interface Routed {
  readonly splitter: Splitter
  readonly assignment: Assignment
  readonly servedBy: string | null
  readonly shadowed: boolean
  readonly fallback: Fallback | undefined
  /** The upstream's response URL, kept here: an LLM response is re-wrapped to observe it, and a new Response has url ''. */
  readonly url: string
}
type Tagged = Response & { [ROUTE]?: Routed }

/** How a response of `splitFetch` was routed (assignment, served variant, fallback, explanation). */
export function routeOf(response: Response): RouteInfo | undefined {
  const routed = (response as Tagged)[ROUTE]
  if (routed === undefined) return undefined
  const { splitter, assignment, fallback } = routed
  return {
    assignment,
    servedBy: routed.servedBy,
    url: routed.url,
    shadowed: routed.shadowed,
    ...(fallback === undefined ? {} : { fallback }),
    explain: () => splitter.explain(assignment) + (fallback === undefined ? '' : ` ${explainFallback(fallback)}`),
  }
}

/** Tags a response with how it was routed (a frozen or exotic response stays untagged: routeOf answers undefined). */
export function tagRoute(response: Response, routed: Routed): Response {
  if (Object.isExtensible(response)) (response as Tagged)[ROUTE] = routed
  return response
}
