// Configs from a URL may use regex rules: installing the RE2 engine here keeps them working.
import '@splitlane/core/regex'
import { ErrorCode, SplitlaneError, type Splitter } from '@splitlane/core'
import {
  createConfigApplier,
  DEFAULT_MAX_BYTES,
  messageOf,
  positiveOption,
  type ConfigSource,
  type ConfigSourceCallbacks,
  type ConfigSourceStatus,
} from './config-source.js'
import { discard, readBody } from './read-body.js'

export interface UrlConfigSourceOptions extends ConfigSourceCallbacks {
  url: string | URL
  splitter: Splitter
  /** Time between polls while all is well (with `poll: false`: the least time between refreshes). Default 30 s. */
  intervalMs?: number
  /** Failures double the wait (with jitter) up to this. Default 5 min. */
  maxBackoffMs?: number
  /** The whole exchange, headers and body, must finish within this, or it is aborted and counted as a failure. Default 10 s. */
  timeoutMs?: number
  /** Largest body read; a larger one (declared or streamed) is aborted and counted as a failure. Default 1 MiB. */
  maxBytes?: number
  /**
   * `true` (default): poll on a timer. `false`: no timers; call `revalidate()` on each request and the source
   * refreshes at most once per `intervalMs` (runtimes without background timers, e.g. Cloudflare Workers).
   */
  poll?: boolean
  /** Extra request headers, e.g. authorization for a private config bucket. */
  headers?: Record<string, string>
  fetch?: typeof fetch
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number
}

export interface UrlConfigSource extends ConfigSource {
  /**
   * Stale-while-revalidate: starts a refresh if the last one is older than its interval (or backoff) and returns
   * it; otherwise returns the current status at once. The splitter keeps serving its config meanwhile.
   */
  revalidate: () => Promise<ConfigSourceStatus>
}

class ExchangeTimeout extends Error {}

/** Polls a URL with `If-None-Match`, swaps in only complete, valid documents, backs off on failure; never throws or rejects. */
export function createUrlConfigSource(options: UrlConfigSourceOptions): UrlConfigSource {
  const { splitter, poll = true, random = Math.random } = options
  const intervalMs = positiveOption('intervalMs', options.intervalMs, 30_000)
  const maxBackoffMs = positiveOption('maxBackoffMs', options.maxBackoffMs, 300_000)
  const timeoutMs = positiveOption('timeoutMs', options.timeoutMs, 10_000)
  const maxBytes = positiveOption('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES)
  const url = String(options.url)
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const applier = createConfigApplier(url, splitter, options)
  let etag: string | null = null
  let inFlight: Promise<ConfigSourceStatus> | null = null
  let exchange: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let dueAt = 0
  let closed = false
  let settleReady: (status: ConfigSourceStatus) => void = () => {}
  const ready = new Promise<ConfigSourceStatus>((resolve) => (settleReady = resolve))

  async function load(): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (etag !== null) headers['if-none-match'] = etag
    // One controller and one timer per exchange, both held here until it ends: a combined AbortSignal.any() can be
    // garbage-collected on Node 20 before its timeout fires, leaving a stalled body to hang forever.
    const controller = (exchange = new AbortController())
    let deadline: ReturnType<typeof setTimeout> | undefined
    try {
      deadline = setTimeout(() => controller.abort(new ExchangeTimeout()), timeoutMs)
      const response = await fetchImpl(url, { headers, signal: controller.signal })
      if (response.status === 304) {
        await discard(response)
        if (etag === null) applier.fail('answered 304 Not Modified to a request without If-None-Match (no config to keep)')
        else applier.succeeded()
        return
      }
      if (!response.ok) {
        await discard(response)
        applier.fail(`HTTP ${response.status}`)
        return
      }
      // The whole body, within the size cap, before parsing: a cut-off transfer throws, so a prefix is never applied.
      const text = await readBody(response, maxBytes, controller.signal)
      if (applier.applyText(text)) etag = response.headers.get('etag')
    } catch (error) {
      if (closed) return
      if (controller.signal.reason instanceof ExchangeTimeout) {
        applier.fail(`no complete answer within timeoutMs (${timeoutMs} ms)`, error, ErrorCode.SourceTimeout)
      } else if (error instanceof SplitlaneError) applier.fail(error.message, error, error.code)
      else applier.fail(messageOf(error), error)
    } finally {
      clearTimeout(deadline)
      controller.abort() // frees the connection of a body left unread
      exchange = null
    }
  }

  /** Sets when the next refresh is due (the interval, or the backoff after failures) and, when polling, its timer. */
  function planNext(): void {
    const failures = applier.status().consecutiveFailures
    const jitter = failures === 0 ? 1 : randomJitter()
    const delay = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures) * (0.5 + jitter / 2)
    dueAt = Date.now() + delay
    if (!poll || closed) return
    timer = setTimeout(() => void refresh(), delay)
    if (typeof timer === 'object') timer.unref?.()
  }

  function randomJitter(): number {
    const value = random()
    return value >= 0 && value < 1 ? value : 0.5
  }

  function refresh(): Promise<ConfigSourceStatus> {
    if (inFlight) return inFlight
    if (closed) return Promise.resolve(applier.status())
    clearTimeout(timer)
    inFlight = (async () => {
      try {
        await load()
        planNext()
      } catch (error) {
        // load() reports its own failures; this is a timer or jitter source that threw (e.g. Workers at module scope).
        applier.fail(`refresh failed: ${messageOf(error)}`, error)
      } finally {
        inFlight = null
      }
      const status = applier.status()
      settleReady(status)
      return status
    })()
    return inFlight
  }

  function revalidate(): Promise<ConfigSourceStatus> {
    if (inFlight) return inFlight
    return Date.now() >= dueAt ? refresh() : Promise.resolve(applier.status())
  }

  if (poll) void refresh()
  return {
    ready,
    refresh,
    revalidate,
    status: applier.status,
    close() {
      closed = true
      clearTimeout(timer)
      exchange?.abort()
      settleReady(applier.status())
    },
  }
}
