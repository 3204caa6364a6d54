// flagd flag definitions (`{ "flags": { key: { state, variants, defaultVariant, targeting } } }`): a flag
// whose targeting is a top-level `fractional` becomes an experiment with layout { compat: 'flagd' }.
import { MAX_WEIGHT, type ExperimentConfig, type JsonValue } from '@splitlane/core'
import { entryRecord, isRecord, readRecord, readString, wrongType, type Path, type Report } from '../mesh/common.js'
import { checkName, type FlagImporter } from './index.js'

export const importFlagd: FlagImporter = (root, add, report) => {
  for (const [key, value] of Object.entries(readRecord(root, 'flags', []))) {
    const path = ['flags', key]
    const flag = entryRecord(value, path)
    report.account(flag, path, ['state', 'variants', 'defaultVariant', 'targeting'], ['metadata'])
    const targeting = readRecord(flag, 'targeting', path)
    if (!Object.hasOwn(targeting, 'fractional')) {
      report.warn([...path, 'targeting'], 'no top-level "fractional" split: not imported (targeting is not carried over)')
      continue
    }
    report.account(targeting, [...path, 'targeting'], ['fractional'])
    const split = readFractional(targeting.fractional, key, [...path, 'targeting', 'fractional'], report)
    if (split === null) continue
    const values = readRecord(flag, 'variants', path)
    const defaultVariant = readString(flag, 'defaultVariant', path)
    const names = split.buckets.map(([name]) => name)
    if (defaultVariant !== undefined && !names.includes(defaultVariant)) names.push(defaultVariant)
    const variants = names.map((name, index) => {
      checkName(name, [...path, 'variants', name])
      const variantValue = Object.hasOwn(values, name) ? (values[name] as JsonValue) : undefined
      return { name, weight: split.buckets[index]?.[1] ?? 0, ...(variantValue === undefined ? {} : { value: variantValue }) }
    })
    const experiment: ExperimentConfig = {
      variants,
      ...(defaultVariant === undefined ? {} : { control: defaultVariant }),
      ...(readString(flag, 'state', path) === 'DISABLED' ? { enabled: false } : {}),
      ...(split.bucketBy === undefined ? {} : { bucketBy: [split.bucketBy] }),
      layout: { compat: 'flagd', ...(split.seed === key ? {} : { seed: split.seed }) },
    }
    add(checkName(key, path), experiment)
  }
}

/**
 * `fractional`'s arguments: an optional bucketing expression, then `[variant, weight?]` buckets. The expression
 * flagd hashes is `seed + value of an attribute`: the default (flag key + targetingKey), `{"var": attr}`
 * (no seed), or `{"cat": [seed, {"var": attr}]}` where seed is a literal or `{"var": "$flagd.flagKey"}`.
 */
function readFractional(argument: unknown, key: string, path: Path, report: Report) {
  if (!Array.isArray(argument)) return wrongType(path, 'a list (the fractional buckets)', argument)
  let seed = key
  let attribute = 'targetingKey'
  let first = 0
  if (argument.length > 0 && !Array.isArray(argument[0])) {
    first = 1
    const expression = readExpression(argument[0], key)
    if (expression === null) {
      report.warn([...path, 0], 'a bucketing expression other than {"var"} or {"cat": [seed, {"var"}]}: not imported')
      return null
    }
    ;({ seed, attribute } = expression)
  }
  const buckets: [string, number][] = []
  for (let index = first; index < argument.length; index++) {
    const bucket: unknown = argument[index]
    const name: unknown = Array.isArray(bucket) ? bucket[0] : undefined
    const weight: unknown = Array.isArray(bucket) && bucket.length > 1 ? bucket[1] : 1
    if (typeof name !== 'string') return wrongType([...path, index], 'a bucket ["variant", weight]', bucket)
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT)
      return wrongType([...path, index, 1], `a weight (an integer 0..${MAX_WEIGHT})`, weight)
    buckets.push([name, weight])
  }
  if (buckets.every(([, weight]) => weight === 0)) {
    report.warn(path, 'no bucket has weight: flagd serves the default variant to everyone; not imported')
    return null
  }
  return { seed, bucketBy: attribute === 'targetingKey' ? undefined : attribute, buckets }
}

const variableOf = (value: unknown): string | null =>
  isRecord(value) && Object.keys(value).length === 1 && typeof value.var === 'string' ? value.var : null

function readExpression(expression: unknown, key: string): { seed: string; attribute: string } | null {
  const alone = variableOf(expression)
  if (alone !== null) return { seed: '', attribute: alone }
  if (!isRecord(expression) || Object.keys(expression).length !== 1 || !Array.isArray(expression.cat)) return null
  const [seedPart, valuePart, ...rest] = expression.cat as unknown[]
  const attribute = variableOf(valuePart)
  const seed = typeof seedPart === 'string' ? seedPart : variableOf(seedPart) === '$flagd.flagKey' ? key : null
  return attribute === null || seed === null || rest.length > 0 || attribute.startsWith('$flagd.') ? null : { seed, attribute }
}
