import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { splitlane, splitlaneProcess } from './cli.js'
import { fixturePath } from './fixtures.js'
import { ANSI, example } from './files.js'

const BIN = fileURLToPath(new URL('../bin/splitlane.js', import.meta.url))
const SCRIPT = '/usr/bin/script'

/** Runs the command on a pseudo-terminal (util-linux `script`), as a user at a terminal would. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part}'`).join(' ')
  const { NO_COLOR: _, ...rest } = process.env
  return new Promise((resolve) => {
    execFile(SCRIPT, ['-qc', command, '/dev/null'], { env: { ...rest, ...env } }, (_error, stdout) => resolve(stdout))
  })
}

describe('splitlane', () => {
  it('--help lists every command with a one-line description', async () => {
    const result = await splitlaneProcess(['--help'])
    expect(result.code).toBe(0)
    for (const [command, summary] of [
      ['validate [options] <files...>', 'check config (or rollout plan) files'],
      ['explain [options] <config> <experiment>', 'show which variant a unit gets'],
      ['simulate [options] <config>', 'observed vs configured shares'],
      ['analyze [options] <metrics>', 'run the canary judge'],
    ])
      expect(result.stdout.split('\n').some((line) => line.startsWith(`  ${command} `) && line.includes(`  ${summary}`))).toBe(true)
  })

  it('<command> --help shows examples', async () => {
    for (const command of ['validate', 'explain', 'simulate', 'analyze']) {
      const result = await splitlaneProcess([command, '--help'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`\nExamples:\n  $ splitlane ${command} `)
    }
  })

  it('exits 2 for an unknown command or option', async () => {
    expect((await splitlaneProcess(['bogus'])).code).toBe(2)
    expect((await splitlaneProcess(['simulate', example('splitlane.yaml'), '--userz', '5'])).code).toBe(2)
  })

  // The other tests call the command in-process (tests/cli.ts); each command once as a real process
  // shows that the installed binary answers the same, exit code and all.
  it.each([
    ['validate', example('splitlane.yaml')],
    ['explain', example('splitlane.yaml'), 'checkout', '--key', 'user-42'],
    ['simulate', example('splitlane.yaml'), '--users', '2000'],
    ['analyze', example('metrics.json'), '-c', 'canary', '-b', 'stable'],
    ['import', fixturePath('gateway-simple-split.yaml')],
    ['export', example('splitlane.yaml'), '--to', 'gateway-api', '--experiment', 'checkout'],
    ['rules', '--config', example('splitlane.yaml')],
  ])('%s as a real process answers as it does in-process', async (...args) => {
    const inProcess = await splitlane(args)
    expect(inProcess.stdout).not.toBe('')
    expect(await splitlaneProcess(args)).toEqual(inProcess)
  })

  it.skipIf(!existsSync(SCRIPT))('colours output on a terminal, not with NO_COLOR; shows progress on a terminal only', async () => {
    expect(await onTerminal(['validate', example('broken.yaml')])).toMatch(ANSI)
    expect(await onTerminal(['validate', example('broken.yaml')], { NO_COLOR: '1' })).not.toMatch(ANSI)
    expect(await onTerminal(['simulate', example('splitlane.yaml'), '--users', '40000'])).toContain('\rsimulating: 50%')
    expect((await splitlaneProcess(['simulate', example('splitlane.yaml'), '--users', '40000'])).stderr).toBe('')
  })
})
