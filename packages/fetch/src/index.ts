// Runtime-agnostic entry: Fetch-API middleware, outgoing-call routing, URL config source.
export { createSplitFetch, routeOf, VARIANT_HEADER } from './split-fetch.js'
export { SHADOW_HEADER } from './shadow.js'
export { withSplitlane, assignmentsOf } from './server.js'
export { byVariant, proxyByVariant } from './server-routing.js'
export type * from './types.js'
export { createUrlConfigSource, type UrlConfigSourceOptions } from './config-source-url.js'
export type { ConfigRejection, ConfigSource, ConfigSourceCallbacks, ConfigSourceStatus, ConfigUpdate } from './config-source.js'
