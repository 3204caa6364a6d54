// Every complete config shown in the docs (a ```json block starting with "version") compiles.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createSplitter } from '../src/index.js'

const root = new URL('../../../', import.meta.url)
const pages = [
  'README.md',
  ...readdirSync(new URL('docs/', root), { recursive: true, encoding: 'utf8' }).map((path) => `docs/${path}`),
].filter((path) => path.endsWith('.md'))

describe('configs in the docs', () => {
  const configs = pages.flatMap((page) =>
    [...readFileSync(new URL(page, root), 'utf8').matchAll(/^```json\n([\s\S]*?)^```$/gm)]
      .map((match) => ({ page, text: match[1]! }))
      .filter(({ text }) => /^\{\s*"version"/.test(text)),
  )

  it('are found', () => expect(configs.length).toBeGreaterThanOrEqual(4))

  it.each(configs.map((config, index) => [`${config.page} #${index}`, config.text]))('%s parses', (_name, text) => {
    expect(() => createSplitter({ config: JSON.parse(text), random: () => 0.5 })).not.toThrow()
  })
})
