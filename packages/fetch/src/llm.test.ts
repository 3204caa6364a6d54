import { createMetricsRecorder, createSplitter, ErrorCode, type SplitlaneConfig, type SplitlaneError } from '@splitlane/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { replyOf, startFakeOpenAi, usageFor, type FakeOpenAi } from '@splitlane/test-utils'

import { createSplitFetch, routeOf } from './index.js'

let openai: FakeOpenAi
const API_KEY = 'sk-test-local'
const PRICES = { 'gpt-4o-mini': { prompt: 0.15, completion: 0.6 }, 'gpt-4o': { prompt: 2.5, completion: 10 } }

beforeAll(async () => {
  openai = await startFakeOpenAi({ apiKey: API_KEY })
})
afterAll(() => openai.close())

/** The seed example: 80% gpt-4o-mini, 20% gpt-4o, auth from the environment, prices per 1M tokens. */
const config = (premiumKey = 'OPENAI_API_KEY'): SplitlaneConfig => ({
  version: 1,
  experiments: {
    'chat-model': {
      variants: [
        {
          name: 'mini',
          weight: 80,
          value: {
            url: `${openai.url}/v1`,
            model: 'gpt-4o-mini',
            headers: { authorization: 'Bearer ${OPENAI_API_KEY}' },
            prices: PRICES['gpt-4o-mini'],
          },
        },
        {
          name: 'premium',
          weight: 20,
          value: {
            url: `${openai.url}/v1`,
            model: 'gpt-4o',
            headers: { authorization: `Bearer \${${premiumKey}}` },
            prices: PRICES['gpt-4o'],
          },
        },
      ],
    },
  },
})

const chat = (user: string, content: string, extra: object = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-id': user },
  body: JSON.stringify({ model: 'whatever-the-app-asked', messages: [{ role: 'user', content }], ...extra }),
})

const setup = (premiumKey?: string, onError?: (error: SplitlaneError) => void) => {
  const splitter = createSplitter({ config: config(premiumKey) })
  const env = { OPENAI_API_KEY: API_KEY }
  const metrics = createMetricsRecorder()
  const llmFetch = createSplitFetch({
    splitter,
    experiment: 'chat-model',
    key: (request) => request.headers.get('x-user-id'),
    metrics,
    env,
    onError,
  })
  return { splitter, metrics, llmFetch }
}

describe('LLM model splits', () => {
  it('splits 80/20 between gpt-4o-mini and gpt-4o, the response model confirms it, and tokens and cost are exact', async () => {
    const { metrics, llmFetch } = setup()
    const expected = { mini: { n: 0, prompt: 0, completion: 0, cost: 0 }, premium: { n: 0, prompt: 0, completion: 0, cost: 0 } }
    for (let start = 0; start < 1000; start += 25)
      await Promise.all(
        Array.from({ length: 25 }, async (_, i) => {
          const content = 'word '.repeat(((start + i) % 7) + 1).trim()
          const response = await llmFetch('http://llm/chat/completions', chat(`user-${start + i}`, content))
          const body = (await response.json()) as { model: keyof typeof PRICES; choices: { message: { content: string } }[] }
          const variant = routeOf(response)!.servedBy as keyof typeof expected
          expect(body.model).toBe(variant === 'mini' ? 'gpt-4o-mini' : 'gpt-4o')
          expect(body.choices[0]!.message.content).toBe(replyOf(body.model))
          const usage = usageFor([{ content }], body.model)
          const prices = PRICES[body.model]
          const tally = expected[variant]
          tally.n++
          tally.prompt += usage.prompt_tokens
          tally.completion += usage.completion_tokens
          tally.cost += (usage.prompt_tokens * prices.prompt + usage.completion_tokens * prices.completion) / 1_000_000
        }),
      )
    const sd = Math.sqrt(1000 * 0.8 * 0.2)
    expect(Math.abs(expected.mini.n - 800)).toBeLessThanOrEqual(3 * sd)
    const stats = metrics.snapshot().experiments['chat-model']!
    for (const variant of ['mini', 'premium'] as const) {
      const { requests, promptTokens, completionTokens, cost, ttfbMs, latencyMs } = stats[variant]!
      expect([requests, promptTokens, completionTokens]).toEqual([
        expected[variant].n,
        expected[variant].prompt,
        expected[variant].completion,
      ])
      expect(cost).toBeCloseTo(expected[variant].cost, 12)
      expect([ttfbMs.count, latencyMs.count]).toEqual([requests, requests])
    }
    expect(openai.requests.every((request) => request.headers.authorization === `Bearer ${API_KEY}`)).toBe(true)
  })

  it('streams server-sent events to the caller byte for byte and reads usage from the final chunk', async () => {
    const { metrics, llmFetch } = setup()
    const user = 'user-stream'
    const response = await llmFetch(
      'http://llm/chat/completions',
      chat(user, 'tell me a story', { stream: true, stream_options: { include_usage: true } }),
    )
    const received = Buffer.from(await response.arrayBuffer())
    const served = routeOf(response)!.servedBy!
    expect(routeOf(response)!.url).toBe(`${openai.url}/v1/chat/completions`) // was '' for LLM routes
    const model = served === 'mini' ? 'gpt-4o-mini' : 'gpt-4o'
    const direct = await fetch(`${openai.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'tell me a story' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    })
    expect(received.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const stats = metrics.snapshot().experiments['chat-model']![served]!
    const usage = usageFor([{ content: 'tell me a story' }], model)
    expect([stats.promptTokens, stats.completionTokens]).toEqual([usage.prompt_tokens, usage.completion_tokens])
    expect(stats.ttfbMs.count).toBe(1)
    expect(stats.ttfbMs.max!).toBeLessThanOrEqual(stats.latencyMs.max! * 1.02)
    const sent = JSON.parse(openai.requests.at(-2)!.body.toString()) as { model: string }
    expect(sent.model).toBe(model)
  })

  it('a variant whose auth variable is missing goes to control, reported by name without any value', async () => {
    const errors: SplitlaneError[] = []
    const { splitter, llmFetch } = setup('AZURE_API_KEY', (error) => errors.push(error))
    const premiumUser = Array.from({ length: 100 }, (_, i) => `u${i}`).find((user) => splitter.variantOf('chat-model', user) === 'premium')!
    const response = await llmFetch('http://llm/chat/completions', chat(premiumUser, 'hi'))
    expect(response.status).toBe(200)
    expect(routeOf(response)!.fallback).toMatchObject({ reason: 'upstream_invalid', from: 'premium', to: 'mini' })
    expect(errors[0]!.code).toBe(ErrorCode.UpstreamEnvMissing)
    expect(errors[0]!.message).toContain('AZURE_API_KEY')
    expect(((await response.json()) as { model: string }).model).toBe('gpt-4o-mini')
  })

  it('a mirrored LLM call is labelled shadow and its tokens and cost are counted apart', async () => {
    const metrics = createMetricsRecorder()
    const splitter = createSplitter({ config: config() })
    const shadow = {
      upstream: {
        url: `${openai.url}/v1`,
        model: 'gpt-4o',
        headers: { authorization: 'Bearer ${OPENAI_API_KEY}' },
        prices: PRICES['gpt-4o'],
      },
      methods: ['POST'],
    }
    const env = { OPENAI_API_KEY: API_KEY }
    const llmFetch = createSplitFetch({ splitter, experiment: 'chat-model', key: () => 'user-1', metrics, env, shadow })
    const response = await llmFetch('http://llm/chat/completions', chat('user-1', 'one two three'))
    const served = routeOf(response)!.servedBy!
    await response.text()
    const deadline = Date.now() + 5000
    while (metrics.snapshot().experiments['chat-model']![served]!.shadow.requests === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5))
    const stats = metrics.snapshot().experiments['chat-model']![served]!
    const usage = usageFor([{ content: 'one two three' }], 'gpt-4o')
    expect(stats.shadow).toMatchObject({
      requests: 1,
      errors: 0,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
    })
    expect(stats.shadow.cost).toBeCloseTo((usage.prompt_tokens * 2.5 + usage.completion_tokens * 10) / 1_000_000, 15)
    expect(stats.requests).toBe(1)
    const mirrored = openai.requests.at(-1)!
    expect(mirrored.headers['splitlane-shadow']).toBe('1')
    expect((JSON.parse(mirrored.body.toString()) as { model: string }).model).toBe('gpt-4o')
  })
})
