// The router lives in core, shared with the proxy modes of every adapter; this package's modules import it from here.
export { createRouter, type Route, type Router } from '@splitlane/core/adapter'
