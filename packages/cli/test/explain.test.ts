import { readFile } from 'node:fs/promises'
import { createSplitter, type Assignment, type SplitlaneConfig } from '@splitlane/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { splitlane } from './cli.js'
import { ANSI, example, tempFiles } from './files.js'

let write: (name: string, text: string) => Promise<string>
beforeAll(async () => {
  ;({ write } = await tempFiles())
})

describe('splitlane explain', () => {
  it('gives the same assignment as the library, with its explanation, as JSON', async () => {
    const result = await splitlane(['explain', example('splitlane.yaml'), 'checkout', '--key', 'user-42', '--json'])
    expect(result.code).toBe(0)
    const { assignment, explanation } = JSON.parse(result.stdout) as { assignment: Assignment; explanation: string }
    const splitter = createSplitter({ config: parse(await readFile(example('splitlane.yaml'), 'utf8')) as SplitlaneConfig })
    const expected = splitter.assign('checkout', { key: 'user-42', attributes: {} })
    expect(assignment).toEqual(JSON.parse(JSON.stringify(expected)))
    expect(assignment).toMatchObject({ experiment: 'checkout', variant: 'canary', reason: 'split', inExperiment: true, revision: 'r1' })
    expect(explanation).toBe(splitter.explain(expected, { key: 'user-42', attributes: {} }))
  })

  it('prints a readable summary without ANSI codes off a terminal', async () => {
    const result = await splitlane(['explain', example('splitlane.yaml'), 'checkout', '--key', 'user-42'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^checkout: canary\n {2}value {9}"http:\/\/127\.0\.0\.1:8082"\n {2}reason {8}split\n/)
    expect(result.stdout).toContain('"canary" scored highest')
    expect(result.stdout).not.toMatch(ANSI)
  })

  it('types --attr values: booleans, numbers that print back unchanged, else strings', async () => {
    const config = await write(
      'rules.yaml',
      [
        'version: 1',
        'experiments:',
        '  banner:',
        '    variants: [{ name: off }, { name: adult }, { name: agent }, { name: beta }]',
        '    rules:',
        '      - { id: beta, when: { attribute: beta, op: in, values: ["true"] }, variant: beta }',
        '      - { id: agent, when: { attribute: code, op: in, values: ["007"] }, variant: agent }',
        '      - { id: adult, when: { attribute: age, op: gte, values: [18] }, variant: adult }',
        '',
      ].join('\n'),
    )
    const variantOf = async (...attrs: string[]) => {
      const result = await splitlane(['explain', config, 'banner', '--key', 'u1', ...attrs.flatMap((attr) => ['--attr', attr]), '--json'])
      expect(result.code).toBe(0)
      return (JSON.parse(result.stdout) as { assignment: Assignment }).assignment
    }
    expect(await variantOf('age=31')).toMatchObject({ variant: 'adult', ruleId: 'adult' })
    expect(await variantOf('age=17')).toMatchObject({ reason: 'split' })
    expect(await variantOf('code=007', 'age=31')).toMatchObject({ variant: 'agent', ruleId: 'agent' })
    expect(await variantOf('beta=true', 'code=007')).toMatchObject({ variant: 'beta', ruleId: 'beta' })
  })

  it('exits 2 for an unknown experiment (listing the known ones), a bad --attr or an invalid config', async () => {
    const unknown = await splitlane(['explain', example('splitlane.yaml'), 'chekout', '--key', 'u1'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no experiment "chekout" in')
    expect(unknown.stderr).toContain('experiments are: checkout, pricing')
    const badAttr = await splitlane(['explain', example('splitlane.yaml'), 'checkout', '--key', 'u1', '--attr', 'country'])
    expect(badAttr.code).toBe(2)
    expect(badAttr.stderr).toContain('--attr expects name=value, got "country"')
    const invalid = await splitlane(['explain', example('broken.yaml'), 'checkout', '--key', 'u1'])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('is not a valid config (run `splitlane validate')
    expect(invalid.stderr).toContain('experiments.checkout.control: control "main" names no variant')
  })
})
