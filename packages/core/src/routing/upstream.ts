// What a variant's `value` says about where its calls go: pure, shared by every routing adapter.
import { ErrorCode, SplitlaneError } from '../errors.js'
import { describeValue } from '../describe.js'
import type { JsonValue } from '../types.js'

/** Currency per 1,000,000 tokens (the unit providers publish). */
export interface TokenPrices {
  readonly prompt: number
  readonly completion: number
}

/** A variant's upstream: a base URL, and for LLM providers a model, extra headers and prices. */
export interface Upstream {
  /** Base URL (origin plus optional path prefix); `null` keeps the caller's URL. */
  readonly url: string | null
  /** OpenAI-compatible JSON bodies get their `model` field rewritten to this. */
  readonly model?: string
  /** Extra request headers; `${NAME}` in a value is taken from the environment, never from config. */
  readonly headers?: Readonly<Record<string, string>>
  readonly prices?: TokenPrices
}

/** What a variant value may be: a URL string, or an object like `Upstream`. */
export type UpstreamValue = string | Upstream

const ORIGIN = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)([^?#]*)/i

const invalid = (message: string, experiment?: string) => new SplitlaneError(ErrorCode.UpstreamInvalid, message, { experiment })

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads an upstream from a variant value (or an `upstreams` entry). `null` when the variant names none. */
export function parseUpstream(value: JsonValue | UpstreamValue | undefined, experiment?: string): Upstream | null | SplitlaneError {
  if (value === null || value === undefined) return null
  if (typeof value === 'string')
    return ORIGIN.test(value) ? { url: trimSlash(value) } : invalid(`upstream ${JSON.stringify(value)} is not an absolute URL`, experiment)
  if (!isRecord(value))
    return invalid(
      `a variant value used as an upstream must be a URL or an object like { url, model }, received ${describeValue(value)}`,
      experiment,
    )
  const { url, model, headers, prices } = value
  if (url !== undefined && url !== null && (typeof url !== 'string' || !ORIGIN.test(url)))
    return invalid(`upstream url ${describeValue(url)} is not an absolute URL`, experiment)
  if (model !== undefined && typeof model !== 'string')
    return invalid(`upstream model must be a string, received ${describeValue(model)}`, experiment)
  if (headers !== undefined && (!isRecord(headers) || Object.values(headers).some((header) => typeof header !== 'string')))
    return invalid(`upstream headers must map names to strings, received ${describeValue(headers)}`, experiment)
  const badName = headers === undefined ? undefined : Object.keys(headers).find((name) => !HEADER_NAME.test(name))
  if (badName !== undefined) return invalid(`upstream header name ${JSON.stringify(badName)} is not a valid HTTP header name`, experiment)
  if (prices !== undefined && (!isRecord(prices) || !isPrice(prices.prompt) || !isPrice(prices.completion)))
    return invalid(
      `upstream prices must be { prompt, completion } in currency per 1M tokens, received ${describeValue(prices)}`,
      experiment,
    )
  return {
    url: typeof url === 'string' ? trimSlash(url) : null,
    ...(model === undefined ? {} : { model }),
    ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
    ...(prices === undefined ? {} : { prices: prices as unknown as TokenPrices }),
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i
// what Node's and fetch's header setters accept: tab, visible ASCII and Latin-1, never CR, LF or NUL
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/
const isPrice = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0
const trimSlash = (url: string) => (url.endsWith('/') ? url.slice(0, -1) : url)

/**
 * The URL a call goes to on `upstream`. When `url` starts with one of `bases` (the upstreams of the
 * experiment) that base is replaced; otherwise only the origin is, and the upstream's path is a prefix.
 */
export function rewriteUrl(url: string, upstream: string | null, bases: readonly string[]): string {
  if (upstream === null) return url
  for (const base of bases)
    if (url.startsWith(base) && ORIGIN.test(base) && isBoundary(url, base.length)) return upstream + url.slice(base.length)
  const match = ORIGIN.exec(url)
  return match === null ? url : upstream + url.slice(match[1]!.length)
}

const isBoundary = (url: string, at: number) => at === url.length || '/?#'.includes(url[at]!)

/**
 * One environment variable: an own, non-empty string, else `undefined`. Own-property only (`${constructor}`
 * must not find `Object`), and a refused read (Deno without `--allow-env` throws `NotCapable`) is a missing one.
 */
function readEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  try {
    if (!Object.hasOwn(env, name)) return undefined
    const value = env[name]
    return typeof value === 'string' && value !== '' ? value : undefined
  } catch {
    return undefined
  }
}

/** Header values with `${NAME}` taken from `env`; a missing name is an error naming it (never its value). */
export function resolveHeaders(
  headers: Readonly<Record<string, string>> | undefined,
  env: Readonly<Record<string, string | undefined>>,
  experiment?: string,
): [string, string][] | SplitlaneError {
  if (headers === undefined) return []
  const out: [string, string][] = []
  for (const [name, template] of Object.entries(headers)) {
    let missing: string | undefined
    const value = template.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const found = readEnv(env, variable)
      if (found === undefined) missing ??= variable
      return found ?? ''
    })
    if (missing !== undefined)
      return new SplitlaneError(ErrorCode.UpstreamEnvMissing, `header ${name} needs environment variable ${missing}, which is not set`, {
        experiment,
      })
    if (BAD_HEADER_VALUE.test(value))
      return new SplitlaneError(
        ErrorCode.UpstreamInvalid,
        `header ${name}: its value (with the environment filled in) has a character HTTP does not allow, such as a line break`,
        { experiment },
      )
    out.push([name, value])
  }
  return out
}

/** The cost of one call from its token counts and the upstream's prices per 1M tokens. */
export function costOf(
  prices: TokenPrices | undefined,
  promptTokens: number | undefined,
  completionTokens: number | undefined,
): number | undefined {
  if (prices === undefined || (promptTokens === undefined && completionTokens === undefined)) return undefined
  return ((promptTokens ?? 0) * prices.prompt + (completionTokens ?? 0) * prices.completion) / 1_000_000
}
