// The getting-started guide's CommonJS sample runs as a user's .cjs file would, against the built
// packages, and prints what the guide says; and every published entry loads through `require`.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { splitMarkdown } from './markdown.js'

const root = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '')

interface Manifest {
  name: string
  private?: boolean
  exports: Record<string, string | { require?: { default: string } }>
  /** Files kept for their effect (`@splitlane/core/regex` installs the RE2 engine and exports nothing). */
  sideEffects?: boolean | string[]
}
const published = readdirSync(`${root}/packages`)
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(`${root}/packages/${dir}/package.json`, 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true)

// A project whose node_modules holds the packages, linked as a workspace or `npm link` would
const project = mkdtempSync(join(tmpdir(), 'splitlane-cjs-'))
mkdirSync(`${project}/node_modules/@splitlane`, { recursive: true })
for (const { dir, manifest } of published) symlinkSync(`${root}/packages/${dir}`, `${project}/node_modules/${manifest.name}`)
afterAll(() => rmSync(project, { recursive: true, force: true }))

describe('CommonJS', () => {
  it("the getting-started guide's require sample prints what the guide shows", () => {
    const { code } = splitMarkdown(readFileSync(`${root}/docs/guides/getting-started.md`, 'utf8'))
    const index = code.findIndex((block) => block.lang === 'js' && block.code.includes("require('@splitlane/core')"))
    expect(index, 'a ```js block that requires @splitlane/core').toBeGreaterThanOrEqual(0)
    const shown = code[index + 1]
    expect(shown?.lang, 'the sample is followed by a ```text block of its output').toBe('text')
    writeFileSync(`${project}/sample.cjs`, code[index]!.code)
    const output = execFileSync(process.execPath, ['sample.cjs'], { cwd: project, encoding: 'utf8' })
    expect(output).toBe(shown!.code)
  })

  it('every subpath of every published package loads through require (run pnpm build first)', () => {
    const requireFromProject = createRequire(`${project}/index.cjs`)
    const loaded: string[] = []
    for (const { manifest } of published)
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        if (typeof target === 'string') continue // package.json, config.schema.json
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`
        const exports = requireFromProject(specifier) as Record<string, unknown>
        const forItsEffect = Array.isArray(manifest.sideEffects) && manifest.sideEffects.includes(target.require?.default ?? '')
        if (!forItsEffect) expect(Object.keys(exports).length, `${specifier} exports something`).toBeGreaterThan(0)
        loaded.push(specifier)
      }
    expect(loaded).toEqual(
      expect.arrayContaining([
        '@splitlane/core',
        '@splitlane/core/analysis',
        '@splitlane/core/bandit',
        '@splitlane/core/json-schema',
        '@splitlane/core/otel',
        '@splitlane/core/regex',
        '@splitlane/core/rollout',
        '@splitlane/express',
        '@splitlane/sources/node',
      ]),
    )
  })
})
