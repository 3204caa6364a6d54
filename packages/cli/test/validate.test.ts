import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-cli-'))
})

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

describe('splitlane validate', () => {
  it('accepts a valid YAML config and exits 0', async () => {
    const path = await file(
      'good.yaml',
      'version: 1\nexperiments:\n  checkout:\n    variants:\n      - { name: stable, weight: 95 }\n      - { name: canary, weight: 5 }\n',
    )
    const result = await splitlane(['validate', path])
    expect(result).toMatchObject({ code: 0 })
    expect(result.stdout).toContain('valid')
    expect(result.stdout).toContain('1 experiment')
  })

  it('lists every problem with its path and exits 1', async () => {
    const path = await file(
      'bad.json',
      JSON.stringify({
        version: 1,
        experiments: {
          checkout: {
            variants: [
              { name: 'a', weight: 1 },
              { name: 'a', weight: -5 },
            ],
          },
        },
      }),
    )
    const result = await splitlane(['validate', path, '--json'])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout) as { valid: boolean; issues: { path: string }[] }
    expect(report.valid).toBe(false)
    expect(report.issues.map((issue) => issue.path)).toContain('experiments.checkout.variants[1].weight')
  })

  it('exits 2 for a missing file or a bad argument', async () => {
    const missing = await splitlane(['validate', join(dir, 'nope.yaml')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read')
    expect((await splitlane(['validate'])).code).toBe(2)
  })
})
