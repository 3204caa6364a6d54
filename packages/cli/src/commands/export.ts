import { writeFile } from 'node:fs/promises'
import { extname } from 'node:path'
import type { SplitlaneConfig } from '@splitlane/core'
import { Option, type Command } from 'commander'
import { stringify } from 'yaml'
import { CliError, EXIT, type CliIo } from '../io.js'
import { loadConfig, loadPlan } from '../load.js'
import { exportHttpRoute, exportRollout, exportVirtualService, type ExportResult, type ExportTarget } from '../mesh/index.js'
import { examples, json, painter } from '../output.js'

interface ExportCommandOptions {
  to: ExportTarget
  experiment?: string
  plan?: string
  name?: string
  namespace?: string
  out?: string
  json?: boolean
  strict?: boolean
}

export function registerExport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('export')
    .summary('write an experiment as an HTTPRoute or a VirtualService, or a rollout plan as an Argo Rollout')
    .description(
      'Write one experiment as a Gateway API HTTPRoute or an Istio VirtualService, or a rollout plan as an Argo Rollouts canary.\n' +
        'What the target cannot express (sticky hashing, exposure, most rules) is printed on stderr with its path in the config.\n' +
        'Exit 0: written (warnings printed); 1: --strict and something could not be expressed; 2: invalid input or arguments.',
    )
    .argument('<config>', 'splitlane config (JSON or YAML)')
    .addOption(new Option('--to <target>', 'what to write').choices(['gateway-api', 'istio', 'argo-rollouts']).makeOptionMandatory())
    .option('-e, --experiment <name>', 'the experiment (default: the only one; for argo-rollouts, the plan names it)')
    .option('--plan <plan>', 'rollout plan file (JSON or YAML); needed for argo-rollouts')
    .option('--name <name>', 'metadata.name of the manifest (default: the experiment)')
    .option('--namespace <namespace>', 'metadata.namespace of the manifest')
    .option('-o, --out <file>', 'write the manifest to this file (.json: JSON, otherwise YAML) instead of stdout')
    .option('--json', 'print { manifest, warnings } as JSON')
    .option('--strict', 'exit 1 when something could not be expressed (default: exit 0 and print the warnings)')
    .addHelpText(
      'after',
      examples([
        'splitlane export splitlane.yaml --to gateway-api --experiment checkout --namespace shop',
        'splitlane export splitlane.yaml --to istio --experiment checkout --out virtualservice.yaml',
        'splitlane export splitlane.yaml --to argo-rollouts --plan plan.yaml',
      ]),
    )
    .action(async (path: string, options: ExportCommandOptions) => {
      const { input, config: parsed } = await loadConfig(path)
      const config = input as SplitlaneConfig
      const names = Object.keys(parsed.experiments)
      const naming = {
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      }
      let result: ExportResult
      if (options.to === 'argo-rollouts') {
        if (options.plan === undefined) throw new CliError('--to argo-rollouts needs --plan <plan>: the steps come from a rollout plan')
        const plan = await loadPlan(options.plan)
        if (!names.includes(plan.experiment))
          throw new CliError(`the plan's experiment "${plan.experiment}" is not in ${path} (experiments: ${names.join(', ')})`)
        if (options.experiment !== undefined && options.experiment !== plan.experiment)
          throw new CliError(`--experiment ${options.experiment} differs from the plan's experiment "${plan.experiment}"`)
        result = exportRollout(config, plan, naming)
      } else {
        const experiment = options.experiment ?? (names.length === 1 ? names[0]! : undefined)
        if (experiment === undefined)
          throw new CliError(`${path} has ${names.length} experiments: pick one with --experiment (${names.join(', ')})`)
        if (!names.includes(experiment)) throw new CliError(`no experiment "${experiment}" in ${path} (experiments: ${names.join(', ')})`)
        result = (options.to === 'istio' ? exportVirtualService : exportHttpRoute)(config, experiment, naming)
      }

      if (options.out !== undefined) {
        const text =
          extname(options.out).toLowerCase() === '.json'
            ? json(result.manifest)
            : stringify(result.manifest, { lineWidth: 0, aliasDuplicateObjects: false })
        try {
          await writeFile(options.out, text)
        } catch (error) {
          throw new CliError(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
        }
      }
      if (options.json) io.out(json(result))
      else if (options.out === undefined) io.out(stringify(result.manifest, { lineWidth: 0, aliasDuplicateObjects: false }))
      if (!options.json) {
        const paint = painter(io.isTTY)
        for (const warning of result.warnings) io.err(`${paint.yellow('warning')} ${paint.bold(warning.path)}: ${warning.message}\n`)
        const count = result.warnings.length
        io.err(
          `exported ${String(result.manifest.kind)} ${String((result.manifest.metadata as { name: string }).name)}` +
            (options.out === undefined ? '' : ` to ${options.out}`) +
            `; ${count} warning${count === 1 ? '' : 's'}${count > 0 && !options.strict ? ' (--strict makes them fail)' : ''}\n`,
        )
      }
      setExit(options.strict && result.warnings.length > 0 ? EXIT.failed : EXIT.ok)
    })
}
