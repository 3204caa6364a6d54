// `splitlane types config.yaml > splitlane.d.ts`: the generated declaration, compiled with the code of a
// user who loads the config at run time, makes a wrong experiment or variant name a compile error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { example } from './files.js'

// inside the package, so that '@splitlane/core' resolves to the built core as it would for a user
const dir = mkdtempSync(join(fileURLToPath(new URL('../', import.meta.url)), '.types-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function compile(files: Record<string, string>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const program = ts.createProgram(
    Object.keys(files).map((name) => join(dir, name)),
    {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
    },
  )
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
}

// Register['config'] is what core reads typed names from (RegisteredNames); this names them the same way
const usage = `import type { Register } from '@splitlane/core'
type Experiments = Register['config']['experiments']
type VariantOf<E extends keyof Experiments> = Experiments[E]['variants'][number]['name']
export const pricing: VariantOf<'pricing'> = 'discount'
export const checkout: VariantOf<'checkout'>[] = ['stable', 'canary']
`

describe('splitlane types', () => {
  it('prints a declaration that registers every experiment and variant name of the config', async () => {
    const result = await splitlane(['types', example('splitlane.yaml')])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain("declare module '@splitlane/core' {\n  interface Register {")
    expect(result.stdout).toContain(
      "readonly 'pricing': { readonly variants: readonly [{ readonly name: 'control' }, { readonly name: 'discount' }, { readonly name: 'bundle' }] }",
    )
    expect(compile({ 'splitlane.d.ts': result.stdout, 'use.ts': usage })).toEqual([])
  })

  it('makes a misspelt experiment or variant a compile error', async () => {
    const { stdout } = await splitlane(['types', example('splitlane.yaml')])
    const errors = compile({
      'splitlane.d.ts': stdout,
      'use.ts': `${usage}export const wrongVariant: VariantOf<'pricing'> = 'discuont'\nexport type WrongExperiment = VariantOf<'chekout'>\n`,
    })
    expect(errors).toHaveLength(2)
    expect(errors[0]).toContain(`'"discuont"' is not assignable`)
    expect(errors[1]).toContain(`'"chekout"' does not satisfy the constraint`)
  })

  it('stops on an invalid config (exit 2), as every command does', async () => {
    const result = await splitlane(['types', example('broken.yaml')])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('is not a valid config')
  })
})
