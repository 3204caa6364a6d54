// Which upstream a variant's calls go to, cached per config so the hot path does no parsing.
import {
  SplitlaneError,
  parseUpstream,
  resolveHeaders,
  type ErrorHandler,
  type ParsedConfig,
  type Splitter,
  type Upstream,
  type UpstreamValue,
} from '@splitlane/core'

export interface Route {
  readonly variant: string | null
  readonly upstream: Upstream | null
  /** Extra headers with `${NAME}` resolved from the environment. */
  readonly headers: readonly [string, string][]
}

export interface Router {
  /** The route of a variant, or the error that makes it unusable (the caller falls back to control). */
  route(variant: string | null): Route | SplitlaneError
  /** The control variant's name in the config in force. */
  control(): string | null
  /** Every upstream base of the experiment, longest first, for URL rewriting. */
  bases(): readonly string[]
}

interface RouterOptions {
  splitter: Splitter
  experiment: string
  upstreams?: Readonly<Record<string, UpstreamValue>>
  env: Readonly<Record<string, string | undefined>>
  onError?: ErrorHandler
}

export function createRouter({ splitter, experiment, upstreams, env }: RouterOptions): Router {
  let config: ParsedConfig | null = null
  let routes = new Map<string | null, Route | SplitlaneError>()
  let bases: string[] = []
  const refresh = () => {
    if (splitter.config === config) return
    config = splitter.config
    routes = new Map()
    const variants = config.experiments[experiment]?.variants ?? []
    const urls = variants
      .map((variant) => build(variant.name))
      .map((route) => (route instanceof SplitlaneError ? null : route.upstream?.url))
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
  return {
    route(variant) {
      refresh()
      let route = routes.get(variant)
      if (route === undefined) routes.set(variant, (route = build(variant)))
      return route
    },
    control() {
      refresh()
      return config?.experiments[experiment]?.control ?? null
    },
    bases() {
      refresh()
      return bases
    },
  }
}
