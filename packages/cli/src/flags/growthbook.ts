// A GrowthBook features payload (`{ "features": { key: { defaultValue, rules } } }`, as the SDK API serves
// it): each experiment rule becomes an experiment with layout { compat: 'growthbook', seed, hashVersion };
// weights x 1,000,000, coverage x 100 as exposure, hashAttribute (then fallbackAttribute) as bucketBy.
import type { ExperimentConfig, JsonValue } from '@splitlane/core'
import { entryRecord, readList, readNumber, readRecord, readString, wrongType } from '../mesh/common.js'
import { checkName, type FlagImporter } from './index.js'

/** Rule fields that change who is bucketed where in ways a compat layout does not reproduce. */
const NOT_REPRODUCED = ['namespace', 'ranges', 'filters']

export const importGrowthbook: FlagImporter = (root, add, report) => {
  for (const [featureKey, value] of Object.entries(readRecord(root, 'features', []))) {
    const feature = entryRecord(value, ['features', featureKey])
    readList(feature, 'rules', ['features', featureKey]).forEach((entry, index) => {
      const path = ['features', featureKey, 'rules', index]
      const rule = entryRecord(entry, path)
      if (!Object.hasOwn(rule, 'variations')) return // a force or rollout rule: not a split
      const key = readString(rule, 'key', path) ?? featureKey
      const blocking = NOT_REPRODUCED.find((field) => Object.hasOwn(rule, field) && rule[field] !== null)
      if (blocking !== undefined) {
        report.warn([...path, blocking], `${blocking} is not reproduced: "${key}" not imported`)
        return
      }
      for (const field of ['condition', 'parentConditions', 'savedGroups'])
        if (Object.hasOwn(rule, field)) report.warn([...path, field], 'targeting is not carried over: write it as splitlane rules')
      const values = readList(rule, 'variations', path) as JsonValue[]
      const meta = readList(rule, 'meta', path).map((item, n) =>
        readString(entryRecord(item, [...path, 'meta', n]), 'key', [...path, 'meta', n]),
      )
      const weights = readList(rule, 'weights', path)
      weights.forEach((weight, n) => typeof weight === 'number' || wrongType([...path, 'weights', n], 'a weight (a number 0..1)', weight))
      const total = weights.reduce<number>((sum, weight) => sum + (typeof weight === 'number' ? weight : NaN), 0)
      // GrowthBook splits equally unless there is a weight per variation summing to 0.99..1.01; equal weights say the same here
      const exact = weights.length === values.length && total >= 0.99 && total <= 1.01
      const variants = values.map((variantValue, n) => ({
        name: checkName(meta[n] ?? String(n), [...path, 'meta', n, 'key']),
        weight: exact ? Math.round((weights[n] as number) * 1_000_000) : 1,
        value: variantValue,
      }))
      if (exact && variants.some((variant, n) => variant.weight / 1_000_000 !== weights[n]))
        report.warn([...path, 'weights'], 'weights with more than 6 decimals are rounded to millionths: a few units may move')
      const coverage = readNumber(rule, 'coverage', path, 'a coverage 0..1', (v) => v >= 0 && v <= 1) ?? 1
      const hashAttribute = readString(rule, 'hashAttribute', path) ?? 'id'
      const fallbackAttribute = readString(rule, 'fallbackAttribute', path)
      const seed = readString(rule, 'seed', path) ?? key
      const hashVersion = readNumber(rule, 'hashVersion', path, 'hash version 1 or 2', (v) => v === 1 || v === 2) ?? 1
      const experiment: ExperimentConfig = {
        variants,
        exposure: Math.round(coverage * 1_000_000) / 10_000,
        bucketBy: fallbackAttribute === undefined ? [hashAttribute] : [hashAttribute, fallbackAttribute],
        layout: { compat: 'growthbook', ...(seed === key ? {} : { seed }), hashVersion: hashVersion as 1 | 2 },
      }
      add(checkName(key, [...path, 'key']), experiment)
    })
  }
}
