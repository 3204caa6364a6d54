import { writeFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { safeParseConfig, type ExperimentConfig, type SplitlaneConfig } from '@splitlane/core'
import { safeParseRolloutPlan, type RolloutPlan } from '@splitlane/core/rollout'
import type { Command } from 'commander'
import { stringify } from 'yaml'
import { CliError, EXIT, readDocuments, type CliIo } from '../io.js'
import { isRecord, ManifestError } from '../mesh/common.js'
import { FLAG_SYSTEMS, isFlagSystem, readFlagFile } from '../flags/index.js'
import { importDocument } from '../mesh/index.js'
import { examples, json, painter } from '../output.js'

interface ImportOptions {
  out?: string
  planOut?: string
  json?: boolean
  strict?: boolean
}

/** A warning with the document it came from, e.g. `HTTPRoute foo-route`. */
export interface SourcedWarning {
  source: string
  path: string
  message: string
}

export function registerImport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('import')
    .summary(
      'turn Gateway API HTTPRoutes, Istio VirtualServices and Argo Rollouts (or a flagd, Unleash, Optimizely or GrowthBook file) into a splitlane config',
    )
    .description(
      'Convert every HTTPRoute, VirtualService and Rollout of a file (several YAML documents allowed) into one splitlane config,\n' +
        'and Argo Rollouts canary steps into rollout plans. Whatever is not carried over is printed on stderr with its path.\n' +
        `With a system first (${FLAG_SYSTEMS.join(', ')}): its flag file becomes experiments with that system's compat layout,\n` +
        'so every user keeps their variant (prove it with splitlane simulate <config> --against <system> <file>).\n' +
        'Exit 0: converted (warnings printed); 1: --strict and something was not carried over, or nothing to import; 2: unreadable file.',
    )
    .argument('<file>', `YAML or JSON manifest (several YAML documents allowed), or a system: ${FLAG_SYSTEMS.join(', ')}`)
    .argument(
      '[system-file]',
      "with a system: that system's file (flagd flags, Unleash features export, Optimizely datafile, GrowthBook features)",
    )
    .option('-o, --out <config>', 'write the config to this file (.json: JSON, otherwise YAML) instead of stdout')
    .option('--plan-out <plan>', 'write the rollout plan(s) of Argo Rollouts to this file (.json: JSON, otherwise YAML)')
    .option('--json', 'print { config, plans, warnings } as JSON')
    .option('--strict', 'exit 1 when anything was not carried over (default: exit 0 and print the warnings)')
    .addHelpText(
      'after',
      examples([
        'splitlane import httproute.yaml',
        'splitlane import rollout.yaml --out splitlane.yaml --plan-out plan.yaml',
        'kubectl get virtualservice reviews -o yaml | splitlane import /dev/stdin --strict',
        'splitlane import unleash features.json --out splitlane.yaml',
      ]),
    )
    .action(async (first: string, systemFile: string | undefined, options: ImportOptions) => {
      if (systemFile !== undefined) {
        if (!isFlagSystem(first)) throw new CliError(`unknown system "${first}": expected one of ${FLAG_SYSTEMS.join(', ')}`)
        const { config, warnings } = await readFlagFile(first, systemFile)
        return finish(io, setExit, {
          path: systemFile,
          sources: [`${first} ${systemFile}`],
          config,
          plans: [],
          warnings: warnings.map((warning) => ({ source: first, ...warning })),
          options,
        })
      }
      const path = first
      const documents = await readDocuments(path, { maxDocuments: MAX_DOCUMENTS })
      const warnings: SourcedWarning[] = []
      // a Map, not an object: experiment names come from the manifests (`constructor` is a fine route name)
      const experiments = new Map<string, ExperimentConfig>()
      const plans: RolloutPlan[] = []
      const sources: string[] = []
      documents.forEach((document, index) => {
        const result = importOrStop(document, `${path}: ${describeDocument(document, index)}`)
        if (typeof result === 'string') {
          warnings.push({ source: `document ${index + 1}`, path: '', message: `${result}: skipped` })
          return
        }
        const source = `${result.kind} ${result.name}`
        sources.push(source)
        for (const warning of result.warnings) warnings.push({ source, ...warning })
        // experiments of later documents are renamed when a name is taken
        for (const [name, experiment] of Object.entries(result.config.experiments)) {
          let target = name
          for (let n = 2; experiments.has(target); n++) target = `${name}-${n}`
          if (target !== name)
            warnings.push({ source, path: 'metadata.name', message: `experiment "${name}" exists already: imported as "${target}"` })
          experiments.set(target, experiment)
          for (const plan of result.plans) if (plan.experiment === name) plans.push({ ...plan, experiment: target })
        }
      })
      if (sources.length === 0) {
        for (const warning of warnings) io.err(`splitlane: ${warning.source}: ${warning.message}\n`)
        io.err(`splitlane: nothing to import from ${path}: no HTTPRoute, VirtualService or Rollout\n`)
        return setExit(EXIT.failed)
      }
      const config: SplitlaneConfig = { version: 1, experiments: Object.fromEntries(experiments) }
      await finish(io, setExit, { path, sources, config, plans, warnings, options })
    })
}

/** Checks and writes what was imported, and reports it. */
async function finish(
  io: CliIo,
  setExit: (code: number) => void,
  result: {
    path: string
    sources: readonly string[]
    config: SplitlaneConfig
    plans: RolloutPlan[]
    warnings: SourcedWarning[]
    options: ImportOptions
  },
): Promise<void> {
  const { path, sources, config, plans, warnings, options } = result
  if (Object.keys(config.experiments).length === 0) {
    for (const warning of warnings) io.err(`splitlane: ${warning.source}: ${warning.path} ${warning.message}\n`)
    io.err(`splitlane: nothing to import from ${path}: no split that a compat layout reproduces\n`)
    return setExit(EXIT.failed)
  }
  checkOutput(config, plans)
  if (options.out !== undefined) await write(options.out, [config])
  if (options.planOut !== undefined && plans.length > 0) await write(options.planOut, plans)
  if (options.json) io.out(json({ config, plans, warnings }))
  else if (options.out === undefined)
    io.out(`# splitlane config imported from ${sources.join(', ')}\n${stringify(config, { lineWidth: 0, aliasDuplicateObjects: false })}`)
  if (!options.json) report(io, { path, config, plans, warnings, options })
  setExit(options.strict && warnings.length > 0 ? EXIT.failed : EXIT.ok)
}

/** Documents of one file that import reads at most (see docs/cli.md#limits). */
export const MAX_DOCUMENTS = 1000

/** `HTTPRoute foo` when the document says its kind and name, else `document 3`. */
function describeDocument(document: unknown, index: number): string {
  const root = isRecord(document) ? document : {}
  const metadata = Object.hasOwn(root, 'metadata') && isRecord(root.metadata) ? root.metadata : {}
  const kind = Object.hasOwn(root, 'kind') ? root.kind : undefined
  const name = Object.hasOwn(metadata, 'name') ? metadata.name : undefined
  return typeof kind === 'string' && typeof name === 'string' ? `${kind} ${name}` : `document ${index + 1}`
}

/** A document converted, or why it is not supported; a field of the wrong type stops the command with its path (exit 2). */
function importOrStop(document: unknown, where: string): ReturnType<typeof importDocument> {
  try {
    return importDocument(document)
  } catch (error) {
    if (error instanceof ManifestError) throw new CliError(`${where}: ${error.path || '(root)'}: ${error.message}`)
    throw error
  }
}

/** The converters build valid configs and plans; this makes sure of it before anything is written. */
function checkOutput(config: SplitlaneConfig, plans: readonly RolloutPlan[]): void {
  const parsed = safeParseConfig(config)
  if (!parsed.success)
    throw new Error(
      `imported config is invalid (a bug in splitlane import): ${parsed.error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    )
  for (const plan of plans) {
    const checked = safeParseRolloutPlan(plan)
    if (!checked.success)
      throw new Error(
        `imported plan is invalid (a bug in splitlane import): ${checked.error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      )
  }
}

/** JSON for `.json` files; YAML otherwise, one document per value. */
async function write(path: string, values: readonly unknown[]): Promise<void> {
  const text =
    extname(path).toLowerCase() === '.json'
      ? json(values.length === 1 ? values[0] : values)
      : values.map((value) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n')
  try {
    await writeFile(path, text)
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function report(
  io: CliIo,
  {
    path,
    config,
    plans,
    warnings,
    options,
  }: { path: string; config: SplitlaneConfig; plans: readonly RolloutPlan[]; warnings: readonly SourcedWarning[]; options: ImportOptions },
): void {
  const paint = painter(io.isTTY)
  for (const warning of warnings)
    io.err(`${paint.yellow('warning')} ${warning.source}${warning.path ? ` ${paint.bold(warning.path)}` : ''}: ${warning.message}\n`)
  const names = Object.keys(config.experiments)
  const wrote = [options.out, plans.length > 0 ? options.planOut : undefined].filter(Boolean)
  io.err(
    `imported ${names.length} experiment${names.length === 1 ? '' : 's'} (${names.join(', ')})` +
      (plans.length > 0 ? ` and ${plans.length} rollout plan${plans.length === 1 ? '' : 's'}` : '') +
      ` from ${path}` +
      (wrote.length > 0 ? `, wrote ${wrote.join(' and ')}` : '') +
      `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${warnings.length > 0 && !options.strict ? ' (--strict makes them fail)' : ''}\n`,
  )
  if (plans.length > 0 && options.planOut === undefined) io.err(`the rollout plan is not written: add --plan-out plan.yaml\n`)
}
