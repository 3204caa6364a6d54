// LLM model split: 80% gpt-4o-mini, 20% gpt-4o, sticky per user, measured per variant.
// A local OpenAI-compatible server stands in for the provider; in production `url` is the real base URL.
import { createMetricsRecorder, createSplitter, defineConfig, sketchQuantile } from '@splitlane/core'
import { createSplitFetch, routeOf } from '@splitlane/fetch'
import { startFakeOpenAi } from '@splitlane/test-utils'

const openai = await startFakeOpenAi({ apiKey: 'sk-local-example' })
// The key comes from the environment, never from the config file.
process.env['OPENAI_API_KEY'] ??= 'sk-local-example'

const provider = { url: `${openai.url}/v1`, headers: { authorization: 'Bearer ${OPENAI_API_KEY}' } }
const config = defineConfig({
  version: 1,
  revision: 'llm-1',
  experiments: {
    'chat-model': {
      variants: [
        { name: 'mini', weight: 80, value: { ...provider, model: 'gpt-4o-mini', prices: { prompt: 0.15, completion: 0.6 } } },
        { name: 'premium', weight: 20, value: { ...provider, model: 'gpt-4o', prices: { prompt: 2.5, completion: 10 } } },
      ],
    },
  },
})

const splitter = createSplitter({ config })
const metrics = createMetricsRecorder()
const llmFetch = createSplitFetch({ splitter, experiment: 'chat-model', key: (call) => call.headers.get('x-user-id'), metrics })

/** The app calls one logical endpoint; splitlane picks the provider and model per user. */
async function chat(user: string, content: string, stream = false): Promise<Response> {
  return llmFetch('http://llm/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': user },
    body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content }], stream, stream_options: { include_usage: true } }),
  })
}

let agreed = 0
for (let i = 0; i < 1000; i++) {
  const response = await chat(`user-${i}`, 'Summarise our refund policy in one line')
  const { model } = (await response.json()) as { model: string }
  const served = routeOf(response)!.servedBy
  if ((served === 'mini' && model === 'gpt-4o-mini') || (served === 'premium' && model === 'gpt-4o')) agreed++
}
console.log(`1000 users: the response's model matched the assigned variant ${agreed} times`)

const streamed = await chat('user-42', 'Tell me a short story', true)
const text = await streamed.text()
console.log(`user-42 streamed ${text.split('\n\n').filter(Boolean).length} server-sent events from ${routeOf(streamed)!.servedBy}`)
console.log(routeOf(streamed)!.explain())

const window = metrics.snapshot().experiments['chat-model']!
console.log('\nvariant   requests  prompt tok  completion tok   cost (USD)  p50 latency ms  p50 TTFB ms')
for (const [variant, stats] of Object.entries(window)) {
  const p50 = (value: number | null) => (value ?? 0).toFixed(2).padStart(14)
  console.log(
    `${variant.padEnd(9)} ${String(stats.requests).padStart(8)} ${String(stats.promptTokens).padStart(11)} ${String(stats.completionTokens).padStart(15)} ${stats.cost.toFixed(6).padStart(12)} ${p50(sketchQuantile(stats.latencyMs, 0.5))} ${p50(sketchQuantile(stats.ttfbMs, 0.5)).slice(2)}`,
  )
}
await openai.close()
