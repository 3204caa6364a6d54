// Signed override tokens carried by a request: found in a header, a query parameter or a cookie,
// then checked by `splitter.verifyOverrides` (which reports bad ones to the splitter's `onError`).
import { parse } from 'cookie'
import type { OverrideTokenSources, RequestView } from './types.js'

const DEFAULT_SOURCES = { header: 'splitlane-override', query: 'splitlane-override', cookie: 'splitlane_override' } as const

/** The sources to read, or undefined when tokens are off. */
export function overrideTokenSources(option: boolean | OverrideTokenSources | undefined): Required<OverrideTokenSources> | undefined {
  if (option === undefined || option === false) return undefined
  return option === true ? { ...DEFAULT_SOURCES } : { ...DEFAULT_SOURCES, ...option }
}

const texts = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []

/** Every token the request carries, separated by spaces (empty when none). May throw: the caller guards it. */
export function readOverrideTokens(view: RequestView, sources: Required<OverrideTokenSources>): string {
  const found: string[] = []
  if (sources.header !== false) found.push(...texts(view.header(sources.header)))
  if (sources.query !== false && view.query !== undefined) found.push(...texts(view.query(sources.query)))
  if (sources.cookie !== false) {
    const cookies = texts(view.header('cookie'))
    if (cookies.length > 0) found.push(...texts(parse(cookies.join('; '))[sources.cookie]))
  }
  return found.join(' ').trim()
}
