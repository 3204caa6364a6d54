import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderConfigDocs, renderConfigSchemaJson } from '../scripts/config-docs.js'

const reference = new URL('../../../docs/reference/', import.meta.url)

describe('generated reference docs', () => {
  it('docs/reference/config.md matches the schema (run `pnpm docs:config` to refresh)', () => {
    expect(readFileSync(new URL('config.md', reference), 'utf8')).toBe(renderConfigDocs())
  })

  it('packages/core/config.schema.json matches the schema (run `pnpm docs:config` to refresh)', () => {
    expect(readFileSync(new URL('../config.schema.json', import.meta.url), 'utf8')).toBe(renderConfigSchemaJson())
  })
})
