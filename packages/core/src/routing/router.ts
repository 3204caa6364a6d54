// Which upstream a variant's calls go to, cached per config revision so the hot path does no parsing.
// Shared by createSplitFetch (outgoing calls) and the proxy modes of every adapter (`upstreamOf`).
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { ParsedConfig, Splitter } from '../types.js'
import type { FallbackRoutes } from './fallback-policy.js'
import { parseUpstream, resolveHeaders, type Upstream, type UpstreamValue } from './upstream.js'

/** Where `${NAME}` in upstream headers is looked up (adapters pass `process.env` by default). */
export type UpstreamEnv = Readonly<Record<string, string | undefined>>

export interface Route {
  readonly variant: string | null
  readonly upstream: Upstream | null
  /** Extra headers with `${NAME}` resolved from the environment. */
  readonly headers: readonly [string, string][]
}

/** Where a proxy sends a variant's requests: a base URL (path prefix included) and headers to set. */
export interface ProxyTarget {
  /** The http(s) base URL, without a trailing slash; the request's path is appended. */
  readonly url: string
  /** `url`'s origin (`http://host:port`) and path prefix (`/v1`, or `''`). */
  readonly origin: string
  readonly path: string
  /** Headers to set on the forwarded request, names lower-case, each replacing the client's. */
  readonly headers: readonly (readonly [string, string])[]
}

export interface Router {
  /** The route of a variant, or the error that makes it unusable (the caller falls back to control). */
  route(variant: string | null): Route | SplitlaneError
  /** The control variant's name in the config in force. */
  control(): string | null
  /** Every upstream base of the experiment, longest first, for URL rewriting. */
  bases(): readonly string[]
  /**
   * Where a proxy sends the variant's requests: its own upstream, or, when it names no URL (no
   * value, or an object without `url`), control's URL with control's headers under its own.
   */
  proxy(variant: string | null): ProxyTarget | SplitlaneError
  /** `proxy` and `control`, as the fallback policy takes them. */
  readonly proxyRoutes: FallbackRoutes<ProxyTarget>
}

export interface RouterOptions {
  splitter: Pick<Splitter, 'config'>
  experiment: string
  /** Variant name -> upstream, used instead of the variant's `value`. */
  upstreams?: Readonly<Record<string, UpstreamValue>>
  env: UpstreamEnv
}

const HTTP = /^https?:\/\//i
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i

export function createRouter({ splitter, experiment, upstreams, env }: RouterOptions): Router {
  let config: ParsedConfig | null = null
  let routes = new Map<string | null, Route | SplitlaneError>()
  let targets = new Map<string | null, ProxyTarget | SplitlaneError>()
  let bases: string[] = []
  const refresh = () => {
    if (splitter.config === config) return
    config = splitter.config
    routes = new Map()
    targets = new Map()
    const variants = config.experiments[experiment]?.variants ?? []
    const urls = variants.map((variant) => route(variant.name)).map((each) => (each instanceof SplitlaneError ? null : each.upstream?.url))
    bases = [...new Set(urls.filter((url): url is string => typeof url === 'string'))].sort((a, b) => b.length - a.length)
  }
  const build = (variant: string | null): Route | SplitlaneError => {
    if (variant === null) return { variant, upstream: null, headers: [] }
    const value = upstreams?.[variant] ?? config?.experiments[experiment]?.variants.find((each) => each.name === variant)?.value
    const upstream = parseUpstream(value, experiment)
    if (upstream instanceof SplitlaneError) return upstream
    const headers = resolveHeaders(upstream?.headers, env, experiment)
    if (headers instanceof SplitlaneError) return headers
    return { variant, upstream, headers }
  }
  const route = (variant: string | null) => {
    let found = routes.get(variant)
    if (found === undefined) routes.set(variant, (found = build(variant)))
    return found
  }
  const control = () => config?.experiments[experiment]?.control ?? null
  const target = (variant: string | null): ProxyTarget | SplitlaneError => {
    const own = route(variant)
    if (own instanceof SplitlaneError) return own
    const fallback = own.upstream?.url == null && variant !== control() ? route(control()) : null
    if (fallback instanceof SplitlaneError) return fallback
    const url = own.upstream?.url ?? fallback?.upstream?.url
    if (url == null || !HTTP.test(url))
      return new SplitlaneError(
        ErrorCode.UpstreamInvalid,
        url == null
          ? `proxy: variant ${JSON.stringify(variant)} of ${experiment} has no http(s) URL as its value, nor has control`
          : `proxy: upstream ${JSON.stringify(url)} of variant ${JSON.stringify(variant)} of ${experiment} is not http(s)`,
        { experiment },
      )
    const headers = new Map<string, string>()
    for (const [name, value] of [...(fallback?.headers ?? []), ...own.headers]) headers.set(name.toLowerCase(), value)
    const origin = ORIGIN.exec(url)![0]
    return { url, origin, path: url.slice(origin.length), headers: [...headers] }
  }
  const proxy = (variant: string | null) => {
    refresh()
    let found = targets.get(variant)
    if (found === undefined) targets.set(variant, (found = target(variant)))
    return found
  }
  return {
    route(variant) {
      refresh()
      return route(variant)
    },
    control() {
      refresh()
      return control()
    },
    bases() {
      refresh()
      return bases
    },
    proxy,
    proxyRoutes: {
      resolve: proxy,
      control() {
        refresh()
        return control()
      },
    },
  }
}
