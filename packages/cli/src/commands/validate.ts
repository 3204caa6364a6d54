import { safeParseConfig } from '@splitlane/core'
import type { Command } from 'commander'
import { EXIT, readDocument, type CliIo } from '../io.js'
import { json, painter } from '../output.js'

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('check a config file (JSON or YAML); exit 0 when valid, 1 when not')
    .argument('<config>', 'config file')
    .option('--json', 'machine-readable output')
    .action(async (path: string, options: { json?: boolean }) => {
      const result = safeParseConfig(await readDocument(path))
      if (options.json) {
        io.out(json(result.success ? { valid: true, path } : { valid: false, path, issues: result.error.issues }))
      } else if (result.success) {
        const count = Object.keys(result.data.experiments).length
        io.out(`${painter(io.isTTY).green('valid')} ${path}: ${count} experiment${count === 1 ? '' : 's'}\n`)
      } else {
        const paint = painter(io.isTTY)
        io.out(`${paint.red('invalid')} ${path}: ${result.error.issues.length} problem(s)\n`)
        for (const issue of result.error.issues) io.out(`  ${paint.bold(issue.path || '(root)')}: ${issue.message}\n`)
      }
      setExit(result.success ? EXIT.ok : EXIT.failed)
    })
}
