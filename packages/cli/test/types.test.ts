// `splitlane types`: the declaration that registers a config's names. Proved here by its text and exit codes;
// examples/typed-names type-checks code against the committed output (and examples.test.ts keeps it current).
import { beforeAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { tempFiles } from './files.js'

let write: (name: string, text: string) => Promise<string>
beforeAll(async () => {
  ;({ write } = await tempFiles())
})

describe('splitlane types', () => {
  it('registers every experiment with its variants, in config order, quoted', async () => {
    const config = await write(
      'types.yaml',
      'version: 1\nexperiments:\n  checkout:\n    variants: [{ name: stable }, { name: canary, weight: 5 }]\n  model.v2:\n    variants: [{ name: gpt-4o }]\n',
    )
    const { code, stdout, stderr } = await splitlane(['types', config])
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
    expect(stdout).toContain("declare module '@splitlane/core' {\n  interface Register {")
    expect(stdout).toContain('"checkout": { variants: readonly [{ name: "stable" }, { name: "canary" }] }')
    expect(stdout).toContain('"model.v2": { variants: readonly [{ name: "gpt-4o" }] }')
    expect(stdout.indexOf('"checkout"')).toBeLessThan(stdout.indexOf('"model.v2"'))
  })

  it('refuses an invalid config with its problems (exit 2) and writes no declaration', async () => {
    const config = await write('bad-types.json', JSON.stringify({ version: 1, experiments: { checkout: { variants: [] } } }))
    const { code, stdout, stderr } = await splitlane(['types', config])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/is not a valid config .*\n {2}experiments\.checkout\.variants/)
  })
})
