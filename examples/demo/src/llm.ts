// Part 3: LLM calls split 80/20 between gpt-4o-mini and gpt-4o with createSplitFetch, on a local
// OpenAI-compatible server that streams server-sent events with usage.
import { createMetricsRecorder, createSplitter, sketchQuantile } from '@splitlane/core'
import { sampleRatioMismatch } from '@splitlane/core/analysis'
import { createSplitFetch, routeOf } from '@splitlane/fetch'
import { check, count, dim, heading, line, ms, percent, runConcurrently, table } from './report.js'

const USERS = 400
const CONCURRENCY = 8
const MODELS = { mini: 'gpt-4o-mini', premium: 'gpt-4o' } as const

export async function runLlmSplit(openaiUrl: string): Promise<void> {
  heading(3, `${USERS} users' chat completions split 80/20 between gpt-4o-mini and gpt-4o (createSplitFetch)`)
  line(`OpenAI-compatible server ${openaiUrl}/v1 (streams 11 server-sent events 5 ms apart, usage in the last)`)
  line()
  const base = `${openaiUrl}/v1`
  const splitter = createSplitter({
    config: {
      version: 1,
      revision: 'llm-1',
      experiments: {
        'chat-model': {
          variants: [
            { name: 'mini', weight: 80, value: { url: base, model: MODELS.mini, prices: { prompt: 0.15, completion: 0.6 } } },
            { name: 'premium', weight: 20, value: { url: base, model: MODELS.premium, prices: { prompt: 2.5, completion: 10 } } },
          ],
        },
      },
    },
  })
  const metrics = createMetricsRecorder()
  const llmFetch = createSplitFetch({ splitter, experiment: 'chat-model', key: (call) => call.headers.get('x-user-id'), metrics })

  let confirmed = 0
  await runConcurrently(USERS, CONCURRENCY, async (index) => {
    // The app calls one logical endpoint; splitlane picks the model per user.
    const response = await llmFetch('http://llm/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': `user-${index + 1}` },
      body: JSON.stringify({
        model: 'default',
        messages: [{ role: 'user', content: `Summarise our refund policy in one line for customer ${index + 1}` }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    })
    const events = await response.text()
    const model = /"model":"([^"]+)"/.exec(events)?.[1]
    const servedBy = routeOf(response)?.servedBy as keyof typeof MODELS | undefined
    if (servedBy !== undefined && model === MODELS[servedBy]) confirmed++
  })

  const stats = metrics.snapshot().experiments['chat-model'] ?? {}
  const names = ['mini', 'premium'] as const
  const requests = names.map((name) => stats[name]?.requests ?? 0)
  table(
    [
      'variant',
      'model',
      ' requests',
      ' share',
      ' p50 ms',
      ' p99 ms',
      ' TTFB p50',
      ' prompt tok',
      ' completion tok',
      ' cost USD',
      ' USD/1k calls',
    ],
    names.map((name, index) => {
      const variant = stats[name]!
      return [
        name,
        MODELS[name],
        count(variant.requests),
        percent(requests[index]!, USERS),
        ms(sketchQuantile(variant.latencyMs, 0.5)),
        ms(sketchQuantile(variant.latencyMs, 0.99)),
        ms(sketchQuantile(variant.ttfbMs, 0.5)),
        count(variant.promptTokens),
        count(variant.completionTokens),
        variant.cost.toFixed(4),
        ((variant.cost / Math.max(variant.requests, 1)) * 1000).toFixed(3),
      ]
    }),
  )
  line(dim('prices per million tokens (prompt / completion): gpt-4o-mini $0.15 / $0.60, gpt-4o $2.50 / $10.00'))
  line()
  const srm = sampleRatioMismatch(requests, [80, 20])
  check(confirmed === USERS, `the response's model field confirmed the assigned model on ${confirmed}/${USERS} calls`)
  check(!srm.mismatch, `the split matches 80/20 (sample-ratio p = ${srm.pValue.toFixed(4)})`)
  check(
    names.every((name) => stats[name]!.promptTokens > 0 && stats[name]!.completionTokens > 0 && stats[name]!.ttfbMs.count > 0),
    'tokens and time to first byte were recorded from the streams of both models',
  )
  check(
    stats['premium']!.cost / stats['premium']!.requests > stats['mini']!.cost / stats['mini']!.requests,
    'a gpt-4o call costs more than a gpt-4o-mini call',
  )
}
