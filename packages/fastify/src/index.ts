export { splitlane } from './plugin.js'
export { proxyByVariant, splitlaneProxy } from './proxy.js'
export type { FastifyProxyOptions, FastifySplitlaneOptions, SplitlaneAssignments, SplitlaneRouteConfig } from './types.js'
export { parseVariantHeader, formatVariantHeader } from '@splitlane/core'
