import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderConfigDocs, renderConfigSchemaJson } from '../scripts/config-docs.js'
import { createSplitter } from '../src/index.js'

const reference = new URL('../../../docs/reference/', import.meta.url)

describe('generated reference docs', () => {
  it('docs/reference/config.md matches the schema (run `pnpm docs:config` to refresh)', () => {
    expect(readFileSync(new URL('config.md', reference), 'utf8')).toBe(renderConfigDocs())
  })

  it('packages/core/config.schema.json matches the schema (run `pnpm docs:config` to refresh)', () => {
    expect(readFileSync(new URL('../config.schema.json', import.meta.url), 'utf8')).toBe(renderConfigSchemaJson())
  })
})

describe('docs/guides/getting-started.md', () => {
  it("shows user-42's real explanation for the guide's config", () => {
    const guide = readFileSync(new URL('../../../docs/guides/getting-started.md', import.meta.url), 'utf8')
    const shown = /```text\n(checkout → [\s\S]*?)```/.exec(guide)![1]!.replace(/\s+/g, ' ').trim()
    const splitter = createSplitter({
      config: {
        version: 1,
        experiments: {
          checkout: {
            variants: [
              { name: 'v1', weight: 10 },
              { name: 'v2', weight: 10 },
              { name: 'v3', weight: 80 },
            ],
            control: 'v3',
          },
        },
      },
    })
    expect(shown).toBe(splitter.explain(splitter.assign('checkout', { key: 'user-42' })))
  })
})

describe('docs/reference/config.md', () => {
  it('its example is a valid config', () => {
    const md = readFileSync(new URL('config.md', reference), 'utf8')
    const json = /## Example\n\n```json\n([\s\S]*?)```/.exec(md)![1]!
    expect(() => createSplitter({ config: JSON.parse(json) })).not.toThrow()
  })
})
