import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import * as source from '../src/index.js'

// The published entry points (built by `pnpm build`) behave exactly like the source.
const require = createRequire(import.meta.url)

describe('built package', () => {
  it('ESM and CJS builds export the same API and compute the same assignments', async () => {
    const esm = (await import('../dist/index.js')) as typeof source
    const cjs = require('../dist/index.cjs') as typeof source
    expect(Object.keys(esm).sort()).toEqual(Object.keys(source).sort())
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(source).sort())
    const config = { version: 1 as const, experiments: { e: { variants: [{ name: 'a', weight: 3 }, { name: 'b' }] } } }
    const splitters = [source, esm, cjs].map((entry) => entry.createSplitter({ config }))
    for (const key of ['user-1', 'ユーザー', '😀', '42']) {
      const [fromSource, ...built] = splitters.map((splitter) => splitter.assign('e', { key }))
      for (const assignment of built) expect(assignment).toEqual(fromSource)
      expect(cjs.murmur3(key)).toBe(source.murmur3(key))
    }
  })

  it('the @splitlane/core/otel subpath exports the same API from ESM, CJS and source', async () => {
    const otelSource = await import('../src/otel.js')
    const esm = (await import('../dist/otel.js')) as typeof otelSource
    const cjs = require('../dist/otel.cjs') as typeof otelSource
    expect(Object.keys(esm).sort()).toEqual(Object.keys(otelSource).sort())
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(otelSource).sort())
    expect(cjs.EVENT_FEATURE_FLAG_EVALUATION).toBe('feature_flag.evaluation')
  })

  it('errors from the CJS build are SplitlaneErrors with stable codes', () => {
    const cjs = require('../dist/index.cjs') as typeof source
    expect(() => cjs.parseConfig({ version: 1 })).toThrow(cjs.SplitlaneConfigError)
  })

  it('@splitlane/core/regex installs RE2 for the main entry, from ESM and from CJS', async () => {
    const config = {
      version: 1 as const,
      experiments: {
        e: {
          variants: [{ name: 'a' }, { name: 'b' }],
          rules: [{ id: 'api', when: { attribute: 'path', op: 'regex' as const, values: ['^/api/'] }, variant: 'b' }],
        },
      },
    }
    const esm = (await import('../dist/index.js')) as typeof source
    const cjs = require('../dist/index.cjs') as typeof source
    for (const entry of [esm, cjs]) expect(entry.safeParseConfig(config).success).toBe(false)
    await import('../dist/regex.js')
    require('../dist/regex.cjs')
    for (const entry of [esm, cjs])
      expect(entry.createSplitter({ config }).assign('e', { key: 'k', attributes: { path: '/api/x' } }).variant).toBe('b')
  })
})
