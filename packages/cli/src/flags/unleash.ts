// An Unleash features export (`{ "features": [{ name, enabled, strategies, variants }] }`, as the client
// API and the export serve it): a feature with one gradual rollout strategy becomes an experiment with
// layout { compat: 'unleash' }: the rollout percentage is `exposure`, the variants keep their order and
// weights behind a weight-0 `disabled` control, the stickiness is `bucketBy`.
import type { ExperimentConfig, JsonValue } from '@splitlane/core'
import { entryRecord, readList, readRecord, readString, wrongType, type Path, type Report } from '../mesh/common.js'
import { checkName, type FlagImporter } from './index.js'

/** Strategies whose outcome is a percentage of hashed units, and their parameter names. */
const ROLLOUTS: Record<string, { percentage: string; stickiness?: string }> = {
  flexibleRollout: { percentage: 'rollout' },
  gradualRolloutUserId: { percentage: 'percentage', stickiness: 'userId' },
  gradualRolloutSessionId: { percentage: 'percentage', stickiness: 'sessionId' },
  default: { percentage: '' },
}

/** `default` stickiness: the first of these the context has. */
const DEFAULT_STICKINESS = ['userId', 'sessionId', 'remoteAddress']

export const importUnleash: FlagImporter = (root, add, report) => {
  readList(root, 'features', []).forEach((value, index) => {
    const path = ['features', index]
    const feature = entryRecord(value, path)
    const name = readString(feature, 'name', path) ?? wrongType([...path, 'name'], 'the feature name', feature.name)
    report.account(
      feature,
      path,
      ['name', 'enabled', 'strategies', 'variants'],
      ['type', 'description', 'project', 'stale', 'impressionData'],
    )
    const strategies = readList(feature, 'strategies', path)
    if (strategies.length !== 1) {
      report.warn(
        [...path, 'strategies'],
        `${strategies.length} strategies: splitlane reproduces one gradual rollout; "${name}" not imported`,
      )
      return
    }
    const strategyPath = [...path, 'strategies', 0]
    const strategy = entryRecord(strategies[0], strategyPath)
    const kind = readString(strategy, 'name', strategyPath) ?? ''
    const rollout = Object.hasOwn(ROLLOUTS, kind) ? ROLLOUTS[kind]! : undefined
    if (rollout === undefined) {
      report.warn([...strategyPath, 'name'], `strategy "${kind}" is not a gradual rollout: "${name}" not imported`)
      return
    }
    report.account(
      strategy,
      strategyPath,
      ['name', 'parameters', 'variants', 'constraints', 'segments'],
      ['id', 'title', 'disabled', 'sortOrder'],
    )
    for (const field of ['constraints', 'segments'])
      if (readList(strategy, field, strategyPath).length > 0)
        report.warn([...strategyPath, field], 'targeting is not carried over: write it as splitlane rules')
    const parameters = readRecord(strategy, 'parameters', strategyPath)
    const percentage = rollout.percentage === '' ? 100 : Number(parameters[rollout.percentage] ?? 100)
    if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100)
      wrongType([...strategyPath, 'parameters', rollout.percentage], 'a percentage 0..100', parameters[rollout.percentage])
    // strategy variants hash with the strategy's groupId; feature variants (the older place) with the feature name
    const strategyVariants = readList(strategy, 'variants', strategyPath)
    const variantsPath = strategyVariants.length > 0 ? [...strategyPath, 'variants'] : [...path, 'variants']
    const variantList = strategyVariants.length > 0 ? strategyVariants : readList(feature, 'variants', path)
    const groupId = readString(parameters, 'groupId', [...strategyPath, 'parameters']) ?? name
    if (strategyVariants.length === 0 && variantList.length > 0 && groupId !== name) {
      report.warn(
        variantsPath,
        `feature variants hash with the feature name, the rollout with groupId "${groupId}": "${name}" not imported`,
      )
      return
    }
    const stickiness = rollout.stickiness ?? readString(parameters, 'stickiness', [...strategyPath, 'parameters']) ?? 'default'
    const variants = readVariants(variantList, variantsPath, stickiness, report)
    if (variants === null || stickiness === 'random') {
      report.warn(
        [...strategyPath, 'parameters', 'stickiness'],
        `random stickiness (or variant stickiness unlike it) cannot be reproduced: "${name}" not imported`,
      )
      return
    }
    const bucketBy = stickiness === 'default' ? DEFAULT_STICKINESS : [stickiness]
    const experiment: ExperimentConfig = {
      variants: [{ name: 'disabled', weight: 0 }, ...variants.variants],
      control: 'disabled',
      ...(feature.enabled === false ? { enabled: false } : {}),
      exposure: percentage,
      bucketBy,
      ...(Object.keys(variants.overrides).length > 0 ? { overrides: variants.overrides } : {}),
      layout: { compat: 'unleash', ...(groupId === name ? {} : { groupId }) },
    }
    add(checkName(name, [...path, 'name']), experiment)
  })
}

/** The variants in order (an `enabled` one when there are none), and their overrides on the stickiness field. */
function readVariants(list: readonly unknown[], path: Path, stickiness: string, report: Report) {
  if (list.length === 0) return { variants: [{ name: 'enabled', weight: 1 }], overrides: {} }
  const overrides: Record<string, string> = {}
  const variants = []
  for (const [index, value] of list.entries()) {
    const variantPath = [...path, index]
    const variant = entryRecord(value, variantPath)
    report.account(variant, variantPath, ['name', 'weight', 'payload', 'stickiness', 'overrides'], ['weightType'])
    const name = checkName(readString(variant, 'name', variantPath) ?? '', [...variantPath, 'name'])
    if (name === 'disabled') wrongType([...variantPath, 'name'], 'a variant name other than "disabled" (the control import adds)', name)
    const weight = variant.weight
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 1_000_000)
      wrongType([...variantPath, 'weight'], 'a weight (an integer 0..1000)', weight)
    // unleash-client reads the stickiness of the first variant for all of them
    const variantStickiness = readString(variant, 'stickiness', variantPath)
    if (index === 0 && variantStickiness !== undefined && variantStickiness !== stickiness) return null
    const payload = readRecord(variant, 'payload', variantPath)
    variants.push({ name, weight, ...(Object.hasOwn(payload, 'value') ? { value: payload.value as JsonValue } : {}) })
    readList(variant, 'overrides', variantPath).forEach((entry, overrideIndex) => {
      const override = entryRecord(entry, [...variantPath, 'overrides', overrideIndex])
      const field = (stickiness === 'default' ? DEFAULT_STICKINESS[0] : stickiness) ?? ''
      if (override.contextName !== field) {
        report.warn(
          [...variantPath, 'overrides', overrideIndex],
          `an override on "${String(override.contextName)}" (not the stickiness field): not carried over`,
        )
        return
      }
      for (const key of readList(override, 'values', [...variantPath, 'overrides', overrideIndex])) overrides[String(key)] = name
    })
  }
  return { variants, overrides }
}
