// The Prometheus HTTP API (`/api/v1/query_range`, `/api/v1/query`): a timeout per attempt, retries
// with backoff on what may pass (network errors, timeouts, 429, 5xx), none on a rejected query, and
// errors that say which query failed and why.
import { ErrorCode, SplitlaneError } from '@splitlane/core'

export interface PrometheusClientOptions {
  /** The server, e.g. `http://prometheus:9090` (a path prefix is kept: `http://host/prometheus`). */
  url: string
  /** Per attempt, headers and body together (default 10,000 ms); also sent as Prometheus's own `timeout`. */
  timeoutMs?: number
  /** Further attempts after a failure that may pass (default 2). */
  retries?: number
  /** Wait before the first retry, doubled for each next one (default 250 ms). */
  retryDelayMs?: number
  /** Sent with every request, e.g. `{ authorization: 'Bearer ...' }`. */
  headers?: Readonly<Record<string, string>>
  /** Default: the global `fetch`. */
  fetch?: typeof fetch
}

/** One series of a range query: its labels and (ms, value) points; `NaN` as Prometheus sends it. */
export interface RangeSeries {
  labels: Record<string, string>
  points: { t: number; value: number }[]
}

export interface PrometheusClient {
  /** `/api/v1/query_range` from `start` to `end` (ms) every `stepMs`. */
  queryRange(query: string, range: { start: number; end: number; stepMs: number }): Promise<RangeSeries[]>
  /** `/api/v1/query` at `time` (ms): one point per series. */
  query(query: string, time: number): Promise<RangeSeries[]>
}

interface ApiResponse {
  status?: string
  errorType?: string
  error?: string
  data?: { resultType?: string; result?: { metric?: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class Retryable extends Error {}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  let base: URL
  try {
    base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`)
  } catch (cause) {
    throw new SplitlaneError(ErrorCode.OptionsInvalid, `prometheus url ${JSON.stringify(options.url)} is not an absolute URL`, { cause })
  }
  const timeoutMs = options.timeoutMs ?? 10_000
  const retries = options.retries ?? 2
  const retryDelayMs = options.retryDelayMs ?? 250
  const fetchImpl = options.fetch ?? fetch

  async function attempt(endpoint: string, params: URLSearchParams, what: string): Promise<ApiResponse['data']> {
    const signal = AbortSignal.timeout(timeoutMs)
    let response: Response
    let text: string
    try {
      response = await fetchImpl(new URL(endpoint, base), {
        method: 'POST',
        headers: { ...options.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: params,
        signal,
      })
      text = await response.text()
    } catch (cause) {
      const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : `${(cause as Error).message ?? cause}`
      throw new Retryable(reason, { cause })
    }
    let body: ApiResponse | undefined
    try {
      body = JSON.parse(text) as ApiResponse
    } catch {
      body = undefined
    }
    if (response.status === 429 || response.status >= 500)
      throw new Retryable(`HTTP ${response.status}${body?.error ? `: ${body.error}` : ''}`)
    if (body?.status !== 'success' || body.data === undefined)
      throw new SplitlaneError(
        ErrorCode.PrometheusQueryFailed,
        `prometheus rejected ${what}: HTTP ${response.status}${body?.errorType ? ` ${body.errorType}` : ''}: ${body?.error ?? text.slice(0, 200)}`,
      )
    return body.data
  }

  async function call(endpoint: string, params: URLSearchParams, query: string): Promise<RangeSeries[]> {
    params.set('query', query)
    params.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`)
    const what = `the query ${query}`
    let lastReason = ''
    for (let tries = 0; tries <= retries; tries++) {
      if (tries > 0) await sleep(retryDelayMs * 2 ** (tries - 1))
      try {
        const data = await attempt(endpoint, params, what)
        const resultType = data?.resultType
        if (resultType !== 'matrix' && resultType !== 'vector')
          throw new SplitlaneError(ErrorCode.PrometheusQueryFailed, `${what} returned a ${resultType}, not series`)
        return (data?.result ?? []).map((series) => ({
          labels: series.metric ?? {},
          points: (series.values ?? (series.value ? [series.value] : [])).map(([t, value]) => ({
            t: Math.round(t * 1000),
            value: Number(value),
          })),
        }))
      } catch (error) {
        if (!(error instanceof Retryable)) throw error
        lastReason = error.message
      }
    }
    throw new SplitlaneError(
      ErrorCode.PrometheusUnreachable,
      `prometheus at ${base.href} could not answer ${what} after ${retries + 1} attempt(s): ${lastReason}`,
    )
  }

  return {
    queryRange(query, range) {
      const params = new URLSearchParams({
        start: String(range.start / 1000),
        end: String(range.end / 1000),
        step: `${range.stepMs / 1000}`,
      })
      return call('api/v1/query_range', params, query)
    },
    query(query, time) {
      return call('api/v1/query', new URLSearchParams({ time: String(time / 1000) }), query)
    },
  }
}
