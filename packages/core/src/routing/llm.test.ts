import { describe, expect, it } from 'vitest'
import { createSseUsageScanner, usageOfText, withModel } from './llm.js'

describe('llm bodies', () => {
  it('rewrites the model of a JSON object body only', () => {
    expect(JSON.parse(withModel('{"model":"x","messages":[]}', 'gpt-4o')!)).toEqual({ model: 'gpt-4o', messages: [] })
    expect(withModel('not json', 'gpt-4o')).toBeNull()
    expect(withModel('[1]', 'gpt-4o')).toBeNull()
  })
  it('reads usage from a response body', () => {
    expect(usageOfText('{"model":"gpt-4o","usage":{"prompt_tokens":12,"completion_tokens":5}}')).toEqual({
      model: 'gpt-4o',
      promptTokens: 12,
      completionTokens: 5,
    })
    expect(usageOfText('{"usage":null}')).toBeUndefined()
  })
  it('finds usage in the final SSE chunk whatever the chunking', () => {
    const stream =
      'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n' +
      'data: {"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\r\n\r\n' +
      'data: [DONE]\n\n'
    for (const size of [1, 3, 17, stream.length]) {
      const scanner = createSseUsageScanner()
      for (let i = 0; i < stream.length; i += size) scanner.push(stream.slice(i, i + size))
      expect(scanner.usage()).toEqual({ model: 'gpt-4o-mini', promptTokens: 7, completionTokens: 3 })
    }
  })
})
