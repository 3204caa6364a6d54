// Config files may use regex rules: the CLI installs the RE2 engine for them.
import '@splitlane/core/regex'
import { Command, CommanderError } from 'commander'
import { registerAnalyze } from './commands/analyze.js'
import { registerDashboard } from './commands/dashboard.js'
import { registerExplain } from './commands/explain.js'
import { registerSimulate } from './commands/simulate.js'
import { registerExport } from './commands/export.js'
import { registerImport } from './commands/import.js'
import { registerValidate } from './commands/validate.js'
import { registerRules } from './commands/rules.js'
import { registerTypes } from './commands/types.js'
import { registerRollout } from './commands/rollout.js'
import { CliError, EXIT, type CliIo } from './io.js'
import { json } from './output.js'

export const VERSION = '0.1.0'

/** Runs the `splitlane` command with `argv` (without `node` and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok
  const setExit = (code: number) => {
    exitCode = code
  }
  const program = new Command('splitlane')
    .description(
      'Validate, explain, simulate and analyze splitlane splits; import and export mesh splits; import flag services with their bucketing.',
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
  registerValidate(program, io, setExit)
  registerExplain(program, io, setExit)
  registerSimulate(program, io, setExit)
  registerAnalyze(program, io, setExit)
  registerImport(program, io, setExit)
  registerExport(program, io, setExit)
  registerRules(program, io, setExit)
  registerTypes(program, io, setExit)
  registerDashboard(program, io, setExit, io.signal)
  registerRollout(program, io, setExit)
  const wantsJson = argv.includes('--json')
  const fail = (message: string, code: number) => {
    io.err(`splitlane: ${message}\n`)
    if (wantsJson) io.out(json({ error: message }))
    return code
  }
  const first = argv[0]
  const commands = program.commands.map((command) => command.name())
  if (first !== undefined && !first.startsWith('-') && first !== 'help' && !commands.includes(first))
    return fail(
      `unknown command "${first}": did you mean "${closest(first, commands)}"? Run splitlane --help for every command`,
      EXIT.usage,
    )
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok
      // commander has printed its own message; with --json it is also the { error } on stdout
      if (wantsJson) io.out(json({ error: error.message.replace(/^error: /, '') }))
      return EXIT.usage
    }
    if (error instanceof CliError) return fail(error.message, EXIT.usage)
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
    return fail(`unexpected error (a bug in splitlane; please report it with the command and file): ${detail}`, EXIT.internal)
  }
  return exitCode
}

/** The name of `names` fewest edits away from `text` (Levenshtein distance). */
export function closest(text: string, names: readonly string[]): string {
  const distance = (a: string, b: string) => {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
    for (let i = 1; i <= a.length; i++) {
      const current = [i]
      for (let j = 1; j <= b.length; j++)
        current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
    return previous[b.length]!
  }
  return names.reduce((best, name) => (distance(text, name) < distance(text, best) ? name : best))
}
