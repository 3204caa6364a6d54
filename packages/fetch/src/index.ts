// Runtime-agnostic entry: Fetch-API middleware, outgoing-call routing, URL config source.
export { createUrlConfigSource, type UrlConfigSourceOptions } from './config-source-url.js'
export type { ConfigRejection, ConfigSource, ConfigSourceCallbacks, ConfigSourceStatus, ConfigUpdate } from './config-source.js'
