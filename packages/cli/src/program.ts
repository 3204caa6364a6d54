import { Command, CommanderError } from 'commander'
import { registerAnalyze } from './commands/analyze.js'
import { registerExplain } from './commands/explain.js'
import { registerSimulate } from './commands/simulate.js'
import { registerExport } from './commands/export.js'
import { registerImport } from './commands/import.js'
import { registerValidate } from './commands/validate.js'
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
    .description('Validate, explain, simulate and analyze splitlane splits; import and export mesh splits.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
  registerValidate(program, io, setExit)
  registerExplain(program, io, setExit)
  registerSimulate(program, io, setExit)
  registerAnalyze(program, io, setExit)
  registerImport(program, io, setExit)
  registerExport(program, io, setExit)
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (error instanceof CliError) {
      io.err(`splitlane: ${error.message}\n`)
      if (argv.includes('--json')) io.out(json({ error: error.message }))
      return EXIT.usage
    }
    throw error
  }
  return exitCode
}
