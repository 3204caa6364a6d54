// Runtime-agnostic entry: Fetch-API middleware and outgoing-call routing. Live config sources are in @splitlane/sources.
export { createSplitFetch, VARIANT_HEADER } from './split-fetch.js'
export { routeOf } from './route-info.js'
export { SHADOW_HEADER } from './shadow.js'
export { withSplitlane, assignmentsOf } from './server.js'
export { byVariant } from './server-routing.js'
export { proxyByVariant } from './proxy.js'
export type * from './types.js'
export type * from './server-types.js'
