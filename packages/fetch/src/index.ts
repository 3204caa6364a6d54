// Runtime-agnostic entry: Fetch-API server middleware and outgoing-call routing.
export { createSplitFetch, routeOf, VARIANT_HEADER } from './split-fetch.js'
export { SHADOW_HEADER } from './shadow.js'
export { withSplitlane, assignmentsOf } from './server.js'
export { byVariant, proxyByVariant } from './server-routing.js'
export type * from './types.js'
