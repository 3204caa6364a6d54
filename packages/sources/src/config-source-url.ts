import type { Splitter } from '@splitlane/core'
import { createConfigApplier, messageOf, type ConfigSource, type ConfigSourceCallbacks, type ConfigSourceStatus } from './config-source.js'

export interface UrlConfigSourceOptions extends ConfigSourceCallbacks {
  url: string | URL
  splitter: Splitter
  /** Time between polls while all is well. Default 30 s. */
  intervalMs?: number
  /** Failures double the wait (with jitter) up to this. Default 5 min. */
  maxBackoffMs?: number
  /** A poll that takes longer is aborted and counted as a failure. Default 10 s. */
  timeoutMs?: number
  /** Extra request headers, e.g. authorization for a private config bucket. */
  headers?: Record<string, string>
  fetch?: typeof fetch
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number
}

/** Polls a URL for the config with `If-None-Match`, swaps in only complete, valid documents, backs off on failure. */
export function createUrlConfigSource(options: UrlConfigSourceOptions): ConfigSource {
  const { splitter, intervalMs = 30_000, maxBackoffMs = 300_000, timeoutMs = 10_000, random = Math.random } = options
  const url = String(options.url)
  const fetchImpl = options.fetch ?? globalThis.fetch
  const applier = createConfigApplier(url, splitter, options)
  let etag: string | null = null
  let inFlight: Promise<ConfigSourceStatus> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false
  const abort = new AbortController()

  async function load(): Promise<boolean> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (etag !== null) headers['if-none-match'] = etag
    let response: Response
    let text: string
    try {
      response = await fetchImpl(url, { headers, signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]) })
      if (response.status === 304) return applier.succeeded()
      // Reading the whole body before parsing: a truncated transfer throws here, so a partial document is never applied.
      text = await response.text()
    } catch (error) {
      return applier.fail(messageOf(error), error)
    }
    if (!response.ok) return applier.fail(`HTTP ${response.status}`)
    const accepted = applier.applyText(text)
    if (accepted) etag = response.headers.get('etag')
    return accepted
  }

  function schedule(): void {
    if (closed) return
    const failures = applier.status().consecutiveFailures
    const delay = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures) * (0.5 + random() / 2)
    timer = setTimeout(() => void refresh(), delay)
    timer.unref?.()
  }

  function refresh(): Promise<ConfigSourceStatus> {
    if (inFlight) return inFlight
    clearTimeout(timer)
    inFlight = load().then(() => {
      inFlight = null
      schedule()
      return applier.status()
    })
    return inFlight
  }

  const ready = refresh()
  return {
    ready,
    refresh,
    status: applier.status,
    close() {
      closed = true
      clearTimeout(timer)
      abort.abort()
    },
  }
}
