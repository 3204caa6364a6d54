import { createSplitter, type Attributes, type SplitlaneConfig } from '@splitlane/core'
import type { Command } from 'commander'
import { CliError, EXIT, type CliIo } from '../io.js'
import { loadConfig } from '../load.js'
import { examples, json, painter } from '../output.js'

/** `--attr k=v`: `true`/`false` become booleans, numbers that print back the same (`42`, `-1.5`, not `007`) numbers, else a string. */
export function parseAttribute(text: string, previous: Record<string, string | number | boolean> = {}) {
  const at = text.indexOf('=')
  if (at <= 0) throw new CliError(`--attr expects name=value, got "${text}"`)
  const name = text.slice(0, at)
  const raw = text.slice(at + 1)
  const number = Number(raw)
  const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && String(number) === raw ? number : raw
  return { ...previous, [name]: value }
}

export function registerExplain(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('explain')
    .summary('show which variant a unit gets in an experiment, and why')
    .description(
      'Assign one unit (its key and attributes) in one experiment of a config and explain the result:\n' +
        'variant, value, reason, whether it counts for analysis, and the hash evidence.\n' +
        'Attribute values are typed: true/false are booleans, numbers that print back unchanged (42, -1.5; not 007) are numbers, anything else is a string.',
    )
    .argument('<config>', 'config file (JSON or YAML)')
    .argument('<experiment>', 'experiment name')
    .option('-k, --key <key>', 'the unit key, e.g. a user id (omit it to see what a unit without a key gets)')
    .option('-a, --attr <name=value>', 'an attribute for targeting rules and bucketBy; repeatable', parseAttribute, {})
    .option('--json', 'machine-readable output: { assignment, explanation }')
    .addHelpText(
      'after',
      examples([
        'splitlane explain splitlane.yaml checkout --key user-42',
        'splitlane explain splitlane.yaml checkout --key user-42 --attr country=DE --attr beta=true --attr age=31',
      ]),
    )
    .action(async (path: string, experiment: string, options: { key?: string; attr: Attributes; json?: boolean }) => {
      const { input, config } = await loadConfig(path)
      const names = Object.keys(config.experiments)
      if (!names.includes(experiment)) throw new CliError(`no experiment "${experiment}" in ${path}; experiments are: ${names.join(', ')}`)
      // Random-mode experiments need a random source; the CLI is not core, so Math.random will do.
      const splitter = createSplitter({ config: input as SplitlaneConfig, random: Math.random })
      const context = { ...(options.key === undefined ? {} : { key: options.key }), attributes: options.attr }
      const assignment = splitter.assign(experiment, context)
      const explanation = splitter.explain(assignment, context)
      if (options.json) io.out(json({ assignment, explanation }))
      else {
        const paint = painter(io.isTTY)
        const lines = [
          `${paint.bold(experiment)}: ${paint.bold(paint.green(String(assignment.variant)))}`,
          `  value         ${JSON.stringify(assignment.value)}`,
          `  reason        ${assignment.reason}${assignment.ruleId === undefined ? '' : ` (rule ${assignment.ruleId})`}`,
          `  inExperiment  ${assignment.inExperiment}`,
          `  key           ${assignment.key === null ? '(none)' : JSON.stringify(assignment.key)}${assignment.keyFrom === null ? '' : ` from ${assignment.keyFrom}`}`,
          `  hash          ${assignment.hash ?? '-'}${assignment.bucket === null ? '' : `  bucket ${assignment.bucket.toFixed(6)}`}`,
          `  revision      ${assignment.revision ?? '-'}`,
          '',
          explanation,
        ]
        io.out(lines.join('\n') + '\n')
      }
      setExit(EXIT.ok)
    })
}
