// `splitlane import <system> <file>` for flag services: a flagd flag file, an Unleash features export,
// an Optimizely datafile or a GrowthBook features payload becomes a splitlane config whose experiments
// use that system's compat layout, so every user keeps the variant the service gave them
// (docs/migrating.md#keep-every-user-in-their-variant-compat-layouts).
import { NAME_PATTERN, type ExperimentConfig, type SplitlaneConfig } from '@splitlane/core'
import { formatPath } from '@splitlane/core/adapter'
import { CliError, readDocument } from '../io.js'
import { createReport, isRecord, ManifestError, wrongType, type Report } from '../mesh/common.js'
import type { MeshWarning } from '../mesh/types.js'
import { importFlagd } from './flagd.js'
import { importGrowthbook } from './growthbook.js'
import { importOptimizely } from './optimizely.js'
import { importUnleash } from './unleash.js'

export const FLAG_SYSTEMS = ['flagd', 'unleash', 'optimizely', 'growthbook'] as const
export type FlagSystem = (typeof FLAG_SYSTEMS)[number]

export const isFlagSystem = (text: string): text is FlagSystem => (FLAG_SYSTEMS as readonly string[]).includes(text)

/** One converter: adds `name -> experiment` for every split it can reproduce, and warns about the rest. */
export type FlagImporter = (
  root: Record<string, unknown>,
  add: (name: string, experiment: ExperimentConfig) => void,
  report: Report,
) => void

const IMPORTERS: Record<FlagSystem, FlagImporter> = {
  flagd: importFlagd,
  unleash: importUnleash,
  optimizely: importOptimizely,
  growthbook: importGrowthbook,
}

/** Converts one document of `system`'s format; a field of the wrong type throws ManifestError with its path. */
export function importFlags(system: FlagSystem, document: unknown): { config: SplitlaneConfig; warnings: MeshWarning[] } {
  if (!isRecord(document)) wrongType([], `a ${system} document (a map)`, document)
  const report = createReport()
  // a Map, not an object: names come from the file (`constructor` is a fine flag key)
  const experiments = new Map<string, ExperimentConfig>()
  IMPORTERS[system](
    document,
    (name, experiment) => {
      // splitlane needs some weight to split by; the service serves its default to everyone here
      if (experiment.variants.every((variant) => variant.weight === 0))
        return report.warn([], `"${name}": every weight is 0 (the service serves its default): not imported`)
      let target = name
      for (let n = 2; experiments.has(target); n++) target = `${name}-${n}`
      if (target !== name) report.warn([], `experiment "${name}" exists already: imported as "${target}"`)
      experiments.set(target, experiment)
    },
    report,
  )
  return { config: { version: 1, experiments: Object.fromEntries(experiments) }, warnings: report.warnings }
}

/** A flag key or variant name used as a splitlane name; anything else stops the import with its path. */
export function checkName(name: string, path: readonly (string | number)[]): string {
  if (!NAME_PATTERN.test(name))
    throw new ManifestError(
      formatPath(path),
      `"${name}" is not a splitlane name (letters, digits, '.', '_', '-', at most 128, starting with a letter or digit): rename it in the source first`,
    )
  return name
}

/** Reads `path` as `system`'s file and converts it; a file or field that cannot be read stops the command (exit 2). */
export async function readFlagFile(system: FlagSystem, path: string): Promise<{ config: SplitlaneConfig; warnings: MeshWarning[] }> {
  const document = await readDocument(path)
  try {
    return importFlags(system, document)
  } catch (error) {
    if (error instanceof ManifestError) throw new CliError(`${path}: ${error.path || '(root)'}: ${error.message}`)
    throw error
  }
}
