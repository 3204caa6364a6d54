// Server entry: the provider for `@openfeature/server-sdk`. The web provider is `@splitlane/openfeature/web`.
export { createOpenFeatureProvider } from './server.js'
export { changedFlags } from './lifecycle.js'
export type { ProviderConfigSource, ProviderSourceCallbacks, ProviderSourceStatus, SplitlaneProviderOptions } from './types.js'
