// Runtime-agnostic entry: the URL config source and the types every source shares.
export { createUrlConfigSource, type UrlConfigSource, type UrlConfigSourceOptions } from './config-source-url.js'
export type { ConfigRejection, ConfigSource, ConfigSourceCallbacks, ConfigSourceStatus, ConfigUpdate } from './config-source.js'
