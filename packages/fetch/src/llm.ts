// Watching an LLM response on its way to the caller: time to first byte, tokens from `usage`, cost.
import { costOf, createSseUsageScanner, usageOfText, type TokenUsage, type Upstream } from '@splitlane/core/adapter'
import type { Outcome } from '@splitlane/core'

/** A route is measured as an LLM call when its upstream names a model or prices. */
export const isLlm = (upstream: Upstream | null): boolean => upstream?.model !== undefined || upstream?.prices !== undefined

/**
 * Hands the caller a response whose body streams through untouched, chunk by chunk, while a
 * pass-through stream notes the first byte and the usage; `done` gets the outcome at the end.
 */
export function observeLlm(
  response: Response,
  upstream: Upstream | null,
  started: number,
  now: () => number,
  done: (outcome: Outcome) => void,
): Response {
  if (response.body === null) {
    done({ status: response.status, latencyMs: now() - started })
    return response
  }
  const streaming = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  const decoder = new TextDecoder()
  const scanner = streaming ? createSseUsageScanner() : null
  let text = ''
  let ttfbMs: number | undefined
  const finish = (error: boolean) => {
    const usage: TokenUsage | undefined = scanner === null ? usageOfText(text) : scanner.usage()
    const outcome: Outcome = { status: response.status, latencyMs: now() - started }
    if (ttfbMs !== undefined) outcome.ttfbMs = ttfbMs
    if (error) outcome.error = true
    if (usage?.promptTokens !== undefined) outcome.promptTokens = usage.promptTokens
    if (usage?.completionTokens !== undefined) outcome.completionTokens = usage.completionTokens
    const cost = costOf(upstream?.prices, usage?.promptTokens, usage?.completionTokens)
    if (cost !== undefined) outcome.cost = cost
    done(outcome)
  }
  const watch = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      ttfbMs ??= now() - started
      const decoded = decoder.decode(chunk, { stream: true })
      if (scanner === null) text += decoded
      else scanner.push(decoded)
      controller.enqueue(chunk)
    },
    flush() {
      const rest = decoder.decode()
      if (scanner === null) text += rest
      else scanner.push(rest)
      finish(false)
    },
  })
  const body = response.body.pipeThrough(watch)
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
}
