// An Optimizely datafile (`{ experiments, groups, ... }`): each experiment becomes an experiment with
// layout { compat: 'optimizely', experimentId }; its traffic allocation ranges are the weights, in order,
// and the unallocated rest after the last range leaves units out (control).
import type { ExperimentConfig } from '@splitlane/core'
import { entryRecord, readList, readNumber, readRecord, readString, wrongType, type Path, type Report } from '../mesh/common.js'
import { checkName, type FlagImporter } from './index.js'

export const importOptimizely: FlagImporter = (root, add, report) => {
  readList(root, 'experiments', []).forEach((value, index) => importExperiment(value, ['experiments', index], add, report))
  readList(root, 'groups', []).forEach((value, index) => {
    const group = entryRecord(value, ['groups', index])
    // `random` groups are mutually exclusive: a second bucketing decides the experiment, which is not reproduced
    if (group.policy === 'random') report.warn(['groups', index], 'a mutual exclusion group: its experiments are not imported')
    else
      readList(group, 'experiments', ['groups', index]).forEach((entry, n) =>
        importExperiment(entry, ['groups', index, 'experiments', n], add, report),
      )
  })
  if (readList(root, 'rollouts', []).length > 0)
    report.warn(['rollouts'], 'feature rollouts are not imported: import their experiments one by one')
}

function importExperiment(value: unknown, path: Path, add: (name: string, experiment: ExperimentConfig) => void, report: Report): void {
  const experiment = entryRecord(value, path)
  const id = readString(experiment, 'id', path) ?? wrongType([...path, 'id'], 'the experiment id (a string)', experiment.id)
  const key = readString(experiment, 'key', path) ?? id
  report.account(
    experiment,
    path,
    ['id', 'key', 'status', 'variations', 'trafficAllocation', 'forcedVariations', 'audienceIds'],
    ['layerId', 'audienceConditions'],
  )
  if (readList(experiment, 'audienceIds', path).length > 0)
    report.warn([...path, 'audienceIds'], 'audiences are not carried over: write them as splitlane rules')
  const variations = new Map<string, string>()
  readList(experiment, 'variations', path).forEach((entry, n) => {
    const variation = entryRecord(entry, [...path, 'variations', n])
    const variationId = readString(variation, 'id', [...path, 'variations', n]) ?? ''
    variations.set(
      variationId,
      checkName(readString(variation, 'key', [...path, 'variations', n]) ?? variationId, [...path, 'variations', n, 'key']),
    )
  })
  const variants: { name: string; weight: number }[] = []
  let start = 0
  let hole = false
  for (const [n, entry] of readList(experiment, 'trafficAllocation', path).entries()) {
    const allocationPath = [...path, 'trafficAllocation', n]
    const allocation = entryRecord(entry, allocationPath)
    const end =
      readNumber(allocation, 'endOfRange', allocationPath, 'an integer 0..10000', (v) => Number.isInteger(v) && v >= start && v <= 10000) ??
      start
    const name = variations.get(readString(allocation, 'entityId', allocationPath) ?? '')
    if (name === undefined || variants.some((variant) => variant.name === name)) hole = true
    else if (hole) {
      report.warn(
        allocationPath,
        `an unallocated range (or a variation in two ranges) before this one is not reproduced: "${key}" not imported`,
      )
      return
    } else variants.push({ name, weight: end - start })
    start = end
  }
  for (const name of variations.values()) if (!variants.some((variant) => variant.name === name)) variants.push({ name, weight: 0 })
  if (variants.length === 0) {
    report.warn([...path, 'variations'], `no variations: "${key}" not imported`)
    return
  }
  const overrides = Object.fromEntries(
    Object.entries(readRecord(experiment, 'forcedVariations', path)).flatMap(([user, variation]) =>
      typeof variation === 'string' && variants.some((variant) => variant.name === variation) ? [[user, variation]] : [],
    ),
  )
  const status = readString(experiment, 'status', path)
  add(checkName(key, [...path, 'key']), {
    variants,
    ...(status === undefined || status === 'Running' ? {} : { enabled: false }),
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    layout: { compat: 'optimizely', experimentId: id },
  })
}
