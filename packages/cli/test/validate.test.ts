import { beforeAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { ANSI, example, tempFiles } from './files.js'

let write: (name: string, text: string) => Promise<string>
let dir: string
beforeAll(async () => {
  ;({ write, dir } = await tempFiles())
})

interface Report {
  valid: boolean
  files: {
    path: string
    kind: string | null
    valid: boolean
    experiments?: string[]
    issues: { path: string; message: string; fix: string | null }[]
    error?: string
  }[]
}

describe('splitlane validate', () => {
  it('accepts valid YAML and JSON configs and a rollout plan, exits 0, and prints no ANSI codes off a terminal', async () => {
    const json = await write(
      'good.json',
      JSON.stringify({ version: 1, experiments: { checkout: { variants: [{ name: 'a' }, { name: 'b' }] } } }),
    )
    const result = await splitlane(['validate', example('splitlane.yaml'), json, example('plan.yaml')])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      `valid ${example('splitlane.yaml')}: 2 experiments (checkout, pricing)\nvalid ${json}: 1 experiment (checkout)\nvalid ${example('plan.yaml')}: rollout plan\n`,
    )
    expect(result.stdout).not.toMatch(ANSI)
  })

  it('lists every problem with its path and a fix, and exits 1', async () => {
    const result = await splitlane(['validate', example('broken.yaml')])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      [
        `invalid ${example('broken.yaml')}: 6 problems`,
        '  experiments.checkout.variants[0].weight: expected integer 0..1000000, received 0.95',
        '    fix: use integer weights 0..1000000; they are relative, e.g. 95 and 5 (0 means none)',
        '  experiments.checkout.variants[1].weight: expected integer 0..1000000, received 0.05',
        '    fix: use integer weights 0..1000000; they are relative, e.g. 95 and 5 (0 means none)',
        '  experiments.checkout.variants[2].wieght: unknown key "wieght" (did you mean "weight"?)',
        '    fix: rename "wieght" to "weight"',
        '  experiments.checkout.exposre: unknown key "exposre" (did you mean "exposure"?)',
        '    fix: rename "exposre" to "exposure"',
        '  experiments.checkout.variants[2].name: duplicate variant name "canary" (already used by variants[1])',
        '    fix: rename one of the variants named "canary"; names must be unique within an experiment',
        '  experiments.checkout.control: control "main" names no variant (variants are "stable", "canary")',
        '    fix: set control to one of the variants: stable, canary (or leave it out: the first variant is control)',
        '',
      ].join('\n'),
    )
  })

  it('--json gives every issue with path, message and fix', async () => {
    const path = await write(
      'bad.json',
      JSON.stringify({
        version: 1,
        experiments: {
          checkout: {
            variants: [
              { name: 'a', weight: 1 },
              { name: 'b', weight: -5 },
            ],
            exposure: 250,
            mode: 'sticki',
          },
          'bad name': { variants: [{ name: 'x' }] },
        },
      }),
    )
    const result = await splitlane(['validate', path, '--json'])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout) as Report
    expect(report.valid).toBe(false)
    expect(report.files[0]!.issues).toMatchObject([
      {
        path: 'experiments.checkout.variants[1].weight',
        code: 'too_small',
        message: 'expected integer 0..1000000, received -5',
        fix: 'use integer weights 0..1000000; they are relative, e.g. 95 and 5 (0 means none)',
      },
      {
        path: 'experiments.checkout.exposure',
        message: 'expected a percentage 0..100 with at most 4 decimals, received 250',
        fix: 'use a percentage between 0 and 100, e.g. exposure: 25 or 12.5 (not a fraction like 0.25 unless you mean 0.25%)',
      },
      { path: 'experiments.checkout.mode', message: 'expected "sticky" or "random", received "sticki"', fix: 'use "sticky" or "random"' },
      {
        path: 'experiments["bad name"]',
        message: expect.stringContaining('invalid name') as string,
        fix: `use only letters, digits, '.', '_' or '-' in experiment name, starting with a letter or digit, e.g. "new-checkout"`,
      },
    ])
  })

  it('checks a rollout plan by its shape and gives fixes for its problems too', async () => {
    const path = await write(
      'plan.yaml',
      'experiment: checkout\ncanary: v2\nbaseline: v1\nsteps:\n  - setWeight: 150\n  - pause: { duration: 60000 }\n',
    )
    const result = await splitlane(['validate', path, '--json'])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout) as Report
    expect(report.files[0]!.kind).toBe('plan')
    expect(report.files[0]!.issues).toMatchObject([
      {
        path: 'steps[0].setWeight',
        message: 'expected a canary weight in percent 0..100 with at most 4 decimals, received 150',
        fix: 'use a percentage between 0 and 100, e.g. setWeight: 25 or 12.5 (not a fraction like 0.25 unless you mean 0.25%)',
      },
      {
        path: 'steps[1].pause.duration',
        message: 'unknown key "duration" (did you mean "durationMs"?)',
        code: 'unrecognized_keys',
        params: { key: 'duration', suggestion: 'durationMs' },
        fix: 'rename "duration" to "durationMs"',
      },
    ])
  })

  it('exits 2 for a missing file, unparseable YAML or a missing argument', async () => {
    const missing = await splitlane(['validate', `${dir}/nope.yaml`])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read')
    const broken = await write('broken.yaml', 'version: 1\nexperiments: [unclosed\n')
    const unparseable = await splitlane(['validate', broken, '--json'])
    expect(unparseable.code).toBe(2)
    expect((JSON.parse(unparseable.stdout) as Report).files[0]!.error).toContain('is not valid YAML')
    expect((await splitlane(['validate'])).code).toBe(2)
  })
})
