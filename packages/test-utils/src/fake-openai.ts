// A local OpenAI-compatible chat completions server on 127.0.0.1 port 0: JSON and server-sent-event
// streaming, with usage. Used by @splitlane/fetch's tests and the LLM examples.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeOpenAi {
  url: string
  /** Every request received, in order, with its body. */
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }[]
  close(): Promise<void>
}

interface ChatRequest {
  model?: string
  messages?: { content?: string }[]
  stream?: boolean
  stream_options?: { include_usage?: boolean }
}

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').length

/** The reply the server gives to a model: its words are the completion tokens, one SSE chunk each. */
export const replyOf = (model: string) => `Hello from ${model}, a fake model on 127.0.0.1`

/** Prompt tokens are the words of every message; completion tokens the words of the reply. */
export function usageFor(messages: { content?: string }[], model: string) {
  const prompt = messages.reduce((sum, message) => sum + words(message.content ?? ''), 0)
  return { prompt_tokens: prompt, completion_tokens: words(replyOf(model)), total_tokens: prompt + words(replyOf(model)) }
}

/** `POST /v1/chat/completions`; needs `authorization: Bearer <apiKey>` when `apiKey` is given. */
export async function startFakeOpenAi(options: { apiKey?: string; chunkDelayMs?: number } = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({ method: request.method!, url: request.url!, headers: request.headers, body })
      void answer(request, response, body, options).catch(() => response.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  raw: Buffer,
  options: { apiKey?: string; chunkDelayMs?: number },
) {
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error: { message: 'not found' } }))
    return
  }
  if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
    response.writeHead(401, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error: { message: 'bad api key' } }))
    return
  }
  const body = JSON.parse(raw.toString('utf8')) as ChatRequest
  const model = body.model ?? 'unknown'
  const usage = usageFor(body.messages ?? [], model)
  const id = `chatcmpl-${model}`
  if (body.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' })
    const message = { role: 'assistant', content: replyOf(model) }
    response.end(JSON.stringify({ id, object: 'chat.completion', model, choices: [{ index: 0, message, finish_reason: 'stop' }], usage }))
    return
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`)
  for (const word of replyOf(model).split(' ')) {
    send({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: `${word} ` } }] })
    if (options.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, options.chunkDelayMs))
  }
  send({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })
  if (body.stream_options?.include_usage === true) send({ id, object: 'chat.completion.chunk', model, choices: [], usage })
  response.end('data: [DONE]\n\n')
}
