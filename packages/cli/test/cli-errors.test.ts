// How the command fails: a JSON error points at its line and column, `--json` answers every failure with { error }
// on stdout, an unknown command names the closest one.
import { describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { example, tempFiles } from './files.js'

describe('a JSON file that does not parse', () => {
  it('is reported with its line, column and a caret under the spot, as YAML errors are', async () => {
    const files = await tempFiles()
    const path = await files.write('config.json', '{\n  "version": 1,\n  "experiments": {\n    checkout: {}\n  }\n}\n')
    const result = await splitlane(['validate', path])
    expect(result.code).toBe(2)
    // the reason is V8's and differs between Node versions; where it is, is ours
    expect(result.stderr.startsWith(`splitlane: ${path} is not valid JSON: Expected `)).toBe(true)
    expect(result.stderr.endsWith(' at line 4, column 5:\n\n      checkout: {}\n      ^\n')).toBe(true)
    expect(result.stderr).not.toContain('position')
  })

  it('that ends too soon points after its last character', async () => {
    const files = await tempFiles()
    const path = await files.write('cut.json', '{ "version": 1,')
    const result = await splitlane(['explain', path, 'checkout', '--json'])
    expect(result.code).toBe(2)
    const { error } = JSON.parse(result.stdout) as { error: string }
    expect(error.endsWith(' at line 1, column 16:\n\n  { "version": 1,\n                 ^')).toBe(true)
  })
})

describe('--json: every failure is { error } on stdout', () => {
  it.each([
    ['an unknown option', ['simulate', example('splitlane.yaml'), '--userz', '5', '--json'], "unknown option '--userz'"],
    ['a missing argument', ['explain', '--json'], "missing required argument 'config'"],
    ['a bad option value', ['simulate', example('splitlane.yaml'), '--users', '0', '--json'], '--users expects an integer'],
    ['a missing --to', ['export', example('splitlane.yaml'), '--json'], "required option '--to <target>' not specified"],
    ['an unknown command', ['simulat', '--json'], 'unknown command "simulat"'],
  ])('%s', async (_, args, message) => {
    const result = await splitlane(args)
    expect(result.code).toBe(2)
    expect(Object.keys(JSON.parse(result.stdout) as object)).toEqual(['error'])
    expect((JSON.parse(result.stdout) as { error: string }).error).toContain(message)
  })
})

describe('an unknown command', () => {
  it('names the closest command and --help', async () => {
    const result = await splitlane(['valdate', 'splitlane.yaml'])
    expect(result).toMatchObject({ code: 2, stdout: '' })
    expect(result.stderr).toBe('splitlane: unknown command "valdate": did you mean "validate"? Run splitlane --help for every command\n')
    expect((await splitlane(['exprt'])).stderr).toContain('did you mean "export"?')
    expect((await splitlane(['simulation'])).stderr).toContain('did you mean "simulate"?')
  })
})
