// OpenAI-compatible request and response bodies: the model field, and token usage. Pure text in, values out.

export interface TokenUsage {
  promptTokens?: number
  completionTokens?: number
  /** The `model` the provider says served the call. */
  model?: string
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined

/** Usage from a parsed response body or stream chunk (`usage.prompt_tokens`, or `input_tokens` style). */
export function usageOf(body: unknown): TokenUsage | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { usage, model } = body as { usage?: unknown; model?: unknown }
  if (typeof usage !== 'object' || usage === null) return undefined
  const raw = usage as Record<string, unknown>
  const promptTokens = count(raw.prompt_tokens ?? raw.input_tokens)
  const completionTokens = count(raw.completion_tokens ?? raw.output_tokens)
  if (promptTokens === undefined && completionTokens === undefined) return undefined
  return { promptTokens, completionTokens, ...(typeof model === 'string' ? { model } : {}) }
}

/** Usage from a whole JSON response body; `undefined` when it is not JSON or has none. */
export function usageOfText(text: string): TokenUsage | undefined {
  try {
    return usageOf(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** A JSON request body with its top-level `model` replaced; `null` when the body is not a JSON object. */
export function withModel(text: string, model: string): string | null {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null
  return JSON.stringify({ ...body, model })
}

export interface SseUsageScanner {
  /** Feeds decoded text of a server-sent event stream, in any chunking. */
  push(text: string): void
  /** The last usage seen (OpenAI sends it in the final chunk with `stream_options.include_usage`). */
  usage(): TokenUsage | undefined
}

/** Watches an SSE stream for `data:` lines that carry usage; keeps only a partial line between pushes. */
export function createSseUsageScanner(): SseUsageScanner {
  let pending = ''
  let last: TokenUsage | undefined
  const line = (text: string) => {
    if (!text.startsWith('data:') || !text.includes('"usage"')) return
    const found = usageOfText(text.slice(5).trim())
    if (found !== undefined) last = found
  }
  return {
    push(text) {
      pending += text
      let end = pending.indexOf('\n')
      while (end >= 0) {
        line(pending.slice(0, end).replace(/\r$/, ''))
        pending = pending.slice(end + 1)
        end = pending.indexOf('\n')
      }
    },
    usage: () => {
      if (pending !== '') line(pending)
      pending = ''
      return last
    },
  }
}
