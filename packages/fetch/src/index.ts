// Runtime-agnostic entry: Fetch-API middleware, outgoing-call routing, URL config source.
export { createSplitFetch, routeOf, VARIANT_HEADER } from './split-fetch.js'
export { SHADOW_HEADER } from './shadow.js'
export type * from './types.js'
