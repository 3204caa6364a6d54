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

describe('docs/guides/layers-and-holdouts.md', () => {
  it("shows real explanations for the guide's config", () => {
    const guide = readFileSync(new URL('../../../docs/guides/layers-and-holdouts.md', import.meta.url), 'utf8')
    const splitter = createSplitter({ config: JSON.parse(/```json\n([\s\S]*?)```/.exec(guide)![1]!) })
    const lines = /## Explanations\n\n```text\n([\s\S]*?)```/.exec(guide)![1]!.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      const [, experiment, key] = /^(\S+) → .*?key "([^"]+)"/.exec(line)!
      expect(line).toBe(splitter.explain(splitter.assign(experiment!, { key })))
    }
  })
})

describe('docs/guides/overrides.md', () => {
  it('shows a real token for the secret it names', async () => {
    const { createHmac } = await import('node:crypto')
    const { mintOverrideToken } = await import('../src/index.js')
    const guide = readFileSync(new URL('../../../docs/guides/overrides.md', import.meta.url), 'utf8')
    const shown = /```text\n(spl1:\S+)/.exec(guide)![1]!
    const sign = (message: string) => createHmac('sha256', 'example-secret').update(message).digest()
    expect(shown).toBe(mintOverrideToken({ experiment: 'checkout', variant: 'canary', expiresAt: 1795780800_000, sign }))
  })
})

describe('docs/reference/errors.md', () => {
  it('lists every error code', async () => {
    const { ErrorCode } = await import('../src/index.js')
    const errors = readFileSync(new URL('errors.md', reference), 'utf8')
    for (const code of Object.values(ErrorCode)) expect(errors).toContain(`| \`${code}\``)
  })
})
