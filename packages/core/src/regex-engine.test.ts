// The RE2 engine is opt-in (`@splitlane/core/regex`), so apps without regex rules do not carry it.
// This file imports it only halfway through: before, a regex rule is a clear config error.
import { describe, expect, it } from 'vitest'
import { safeParseConfig } from './config/parse.js'
import { createSplitter } from './splitter.js'
import type { SplitlaneConfig } from './types.js'

const withRegex = (pattern: string): SplitlaneConfig => ({
  version: 1,
  experiments: {
    e: {
      variants: [{ name: 'a' }, { name: 'b' }],
      rules: [{ id: 'api', when: { attribute: 'path', op: 'regex', values: [pattern] }, variant: 'b' }],
    },
  },
})

describe('regex rules without the engine', () => {
  it('are a config error with a stable code that says which import fixes it', () => {
    const result = safeParseConfig(withRegex('^/api/'))
    expect(result.success).toBe(false)
    expect(result.success ? [] : result.error.issues).toEqual([
      {
        path: 'experiments.e.rules[0].when.op',
        code: 'regex_engine_missing',
        params: {},
        message: expect.stringContaining("import '@splitlane/core/regex'"),
      },
    ])
    expect(() => createSplitter({ config: withRegex('^/api/') })).toThrow(/regex_engine_missing|@splitlane\/core\/regex/)
  })

  it('leave every other operator working', () => {
    const config: SplitlaneConfig = {
      version: 1,
      experiments: {
        e: {
          variants: [{ name: 'a' }, { name: 'b' }],
          rules: [{ id: 'api', when: { attribute: 'path', op: 'startsWith', values: ['/api/'] }, variant: 'b' }],
        },
      },
    }
    expect(createSplitter({ config }).assign('e', { key: 'k', attributes: { path: '/api/x' } }).variant).toBe('b')
  })
})

describe('regex rules once @splitlane/core/regex is imported', () => {
  it('match with RE2, and a pattern RE2 rejects is still reported on its value', async () => {
    await import('./regex.js')
    const splitter = createSplitter({ config: withRegex('^/api/v[23]/') })
    expect(splitter.assign('e', { key: 'k', attributes: { path: '/api/v3/orders' } }).variant).toBe('b')
    expect(splitter.assign('e', { key: 'k', attributes: { path: '/api/v1/orders' } }).ruleId).toBeUndefined()
    const invalid = safeParseConfig(withRegex('(?=lookahead)'))
    expect(invalid.success ? [] : invalid.error.issues.map(({ path, code }) => ({ path, code }))).toEqual([
      { path: 'experiments.e.rules[0].when.values[0]', code: 'value_unreadable' },
    ])
  })
})
