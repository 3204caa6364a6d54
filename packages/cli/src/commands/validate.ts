import { safeParseConfig, type ConfigIssue } from '@splitlane/core'
import { safeParseRolloutPlan } from '@splitlane/core/rollout'
import type { Command } from 'commander'
import { fixFor } from '../hints.js'
import { CliError, EXIT, readDocument, type CliIo } from '../io.js'
import { examples, json, painter } from '../output.js'

interface FileReport {
  path: string
  /** `plan` for a rollout plan (an object with `steps` and no `experiments`), else `config`. */
  kind: 'config' | 'plan' | null
  valid: boolean
  /** Experiment names of a valid config. */
  experiments?: string[]
  issues: (ConfigIssue & { fix: string | null })[]
  /** The file could not be read or parsed as JSON/YAML. */
  error?: string
}

const isPlan = (input: unknown) => typeof input === 'object' && input !== null && 'steps' in input && !('experiments' in input)

async function check(path: string): Promise<FileReport> {
  let input: unknown
  try {
    input = await readDocument(path)
  } catch (error) {
    if (error instanceof CliError) return { path, kind: null, valid: false, issues: [], error: error.message }
    throw error
  }
  const withFixes = (issues: readonly ConfigIssue[]) => issues.map((issue) => ({ ...issue, fix: fixFor(issue) }))
  if (isPlan(input)) {
    const result = safeParseRolloutPlan(input)
    return { path, kind: 'plan', valid: result.success, issues: result.success ? [] : withFixes(result.error.issues) }
  }
  const result = safeParseConfig(input)
  if (result.success) return { path, kind: 'config', valid: true, experiments: Object.keys(result.data.experiments), issues: [] }
  return { path, kind: 'config', valid: false, issues: withFixes(result.error.issues) }
}

export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .summary('check config (or rollout plan) files, listing every problem with its path and a fix')
    .description(
      'Check splitlane config files (JSON or YAML); a file with `steps` and no `experiments` is checked as a rollout plan.\n' +
        'Every problem is listed with its path and a fix. Exit 0: all valid; 1: a file is invalid; 2: a file could not be read.',
    )
    .argument('<files...>', 'config or rollout plan files (.json, .yaml, .yml)')
    .option('--json', 'machine-readable output: { valid, files: [{ path, kind, valid, issues: [{ path, message, fix }] }] }')
    .addHelpText('after', examples(['splitlane validate splitlane.yaml', 'splitlane validate config/*.yaml --json']))
    .action(async (paths: string[], options: { json?: boolean }) => {
      const reports: FileReport[] = []
      for (const path of paths) reports.push(await check(path))
      const unreadable = reports.some((report) => report.error !== undefined)
      const valid = reports.every((report) => report.valid)
      if (options.json) io.out(json({ valid, files: reports }))
      else {
        const paint = painter(io.isTTY)
        for (const report of reports) {
          if (report.error !== undefined) io.err(`splitlane: ${report.error}\n`)
          else if (report.valid)
            io.out(
              `${paint.green('valid')} ${report.path}: ` +
                (report.kind === 'plan'
                  ? 'rollout plan\n'
                  : `${report.experiments!.length} experiment${report.experiments!.length === 1 ? '' : 's'} (${report.experiments!.join(', ')})\n`),
            )
          else {
            const count = report.issues.length
            io.out(
              `${paint.red('invalid')} ${report.path}: ${count} problem${count === 1 ? '' : 's'}${report.kind === 'plan' ? ' (rollout plan)' : ''}\n`,
            )
            for (const issue of report.issues) {
              io.out(`  ${paint.bold(issue.path || '(root)')}: ${issue.message}\n`)
              if (issue.fix !== null) io.out(`    ${paint.dim('fix:')} ${issue.fix}\n`)
            }
          }
        }
      }
      setExit(unreadable ? EXIT.usage : valid ? EXIT.ok : EXIT.failed)
    })
}
