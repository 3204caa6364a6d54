// Conditions compiled once with the config into a small tree, evaluated per request, and put in words by explain.
import { describeValue } from '../describe.js'
import type { Attributes, Condition, ParsedConfig } from '../types.js'
import { compileTest, MAX_ATTRIBUTE_LENGTH, type ConditionValue, type Operator, type ValueTest } from './operators.js'

export type ConditionNode =
  | {
      readonly kind: 'leaf'
      readonly attribute: string
      readonly op: Operator
      readonly values: readonly ConditionValue[]
      readonly caseInsensitive: boolean
      /** Negate the result on a readable value (`negate`, and `notIn`, which is a negated `in`). */
      readonly negate: boolean
      readonly test: ValueTest
    }
  | { readonly kind: 'all' | 'any'; readonly children: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly child: ConditionNode }
  | { readonly kind: 'segment'; readonly name: string; readonly child: ConditionNode }

/** Compiles segments (each once, references resolved) and then any condition against them. */
export function createConditionCompiler(segments: Readonly<Record<string, Condition>>): (condition: Condition) => ConditionNode {
  const compiled = new Map<string, ConditionNode>()
  const compile = (condition: Condition): ConditionNode => {
    if ('all' in condition) return { kind: 'all', children: condition.all.map(compile) }
    if ('any' in condition) return { kind: 'any', children: condition.any.map(compile) }
    if ('not' in condition) return { kind: 'not', child: compile(condition.not) }
    if ('segment' in condition) {
      let child = compiled.get(condition.segment)
      if (child === undefined) {
        // The schema rejects unknown and cyclic references, so this recursion ends.
        child = compile(segments[condition.segment]!)
        compiled.set(condition.segment, child)
      }
      return { kind: 'segment', name: condition.segment, child }
    }
    const values = condition.values ?? []
    const caseInsensitive = condition.caseInsensitive ?? false
    return {
      kind: 'leaf',
      attribute: condition.attribute,
      op: condition.op,
      values,
      caseInsensitive,
      negate: (condition.negate ?? false) !== (condition.op === 'notIn'),
      test: compileTest({ op: condition.op, values, caseInsensitive }),
    }
  }
  return compile
}

/** Thrown out of `matches` when reading or testing an attribute throws (a getter, a revoked proxy): the caller's context is at fault. */
export class AttributeReadError extends Error {
  constructor(
    readonly attribute: string,
    cause: unknown,
  ) {
    super(`reading attribute ${JSON.stringify(attribute)} threw`, { cause })
    this.name = 'AttributeReadError'
  }
}

function attributeOf(attributes: Attributes | undefined, name: string): unknown {
  return attributes !== undefined && Object.hasOwn(attributes, name) ? attributes[name] : undefined
}

/** Strings up to MAX_ATTRIBUTE_LENGTH may be read; longer ones are never parsed. */
const withinCap = (value: unknown): boolean => typeof value !== 'string' || value.length <= MAX_ATTRIBUTE_LENGTH

/**
 * A missing attribute (absent, undefined or null) or one the operator cannot read makes a leaf
 * false whatever `negate` says; only `exists` with `negate` matches a missing attribute. An array
 * attribute matches when any readable element does (then `negate` applies to that answer).
 * Strings longer than MAX_ATTRIBUTE_LENGTH, and lists with more elements, are unreadable.
 */
function leafResult(node: Extract<ConditionNode, { kind: 'leaf' }>, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null) return node.op === 'exists' ? node.negate : undefined
  if (node.op === 'exists') return !node.negate
  let result: boolean | undefined
  if (Array.isArray(raw)) {
    if ((raw as unknown[]).length > MAX_ATTRIBUTE_LENGTH) return undefined
    for (const element of raw as unknown[]) {
      const one = element === undefined || element === null || !withinCap(element) ? undefined : node.test(element)
      if (one === true) {
        result = true
        break
      }
      if (one === false) result = false
    }
  } else if (withinCap(raw)) result = node.test(raw)
  return result === undefined ? undefined : result !== node.negate
}

/** The leaf's result for these attributes; throws AttributeReadError when reading them throws. */
function leafOf(node: Extract<ConditionNode, { kind: 'leaf' }>, attributes: Attributes | undefined): boolean | undefined {
  try {
    return leafResult(node, attributeOf(attributes, node.attribute))
  } catch (cause) {
    throw new AttributeReadError(node.attribute, cause)
  }
}

/** Does the condition hold? Throws AttributeReadError (only) when reading an attribute throws. */
export function matches(node: ConditionNode, attributes: Attributes | undefined): boolean {
  switch (node.kind) {
    case 'leaf':
      return leafOf(node, attributes) === true
    case 'all':
      for (const child of node.children) if (!matches(child, attributes)) return false
      return true
    case 'any':
      for (const child of node.children) if (matches(child, attributes)) return true
      return false
    case 'not':
      return !matches(node.child, attributes)
    case 'segment':
      return matches(node.child, attributes)
  }
}

const valueList = (values: readonly ConditionValue[]) => (values.length === 1 ? JSON.stringify(values[0]) : JSON.stringify(values))

/** `plan in ["beta","staff"]`, `all of (…)`, `segment "beta"` in words. */
export function describeCondition(node: ConditionNode): string {
  switch (node.kind) {
    case 'leaf': {
      if (node.op === 'exists') return `${node.attribute} ${node.negate ? 'does not exist' : 'exists'}`
      const op = node.op === 'notIn' ? 'in' : node.op
      const flags = node.caseInsensitive ? ' (case-insensitive)' : ''
      return `${node.attribute} ${node.negate ? `not ${op}` : op} ${valueList(node.values)}${flags}`
    }
    case 'all':
    case 'any':
      return `${node.kind} of (${node.children.map(describeCondition).join(', ')})`
    case 'not':
      return `not (${describeCondition(node.child)})`
    case 'segment':
      return `segment "${node.name}"`
  }
}

/** Why a condition does not match these attributes, naming the first thing that failed. */
export function whyNot(node: ConditionNode, attributes: Attributes | undefined): string {
  switch (node.kind) {
    case 'leaf': {
      const raw = attributeOf(attributes, node.attribute)
      if (raw === undefined || raw === null) return `attribute ${node.attribute} is missing, so ${describeCondition(node)} is false`
      const readable = leafResult(node, raw) !== undefined
      const shown = Array.isArray(raw) ? `[${(raw as unknown[]).map(describeValue).join(', ')}]` : describeValue(raw)
      return readable
        ? `${node.attribute} is ${shown}, so ${describeCondition(node)} is false`
        : `${node.attribute} is ${shown}, which ${node.op} cannot read, so ${describeCondition(node)} is false`
    }
    case 'all': {
      const failed = node.children.find((child) => !matches(child, attributes))
      return failed === undefined ? 'it matched' : whyNot(failed, attributes)
    }
    case 'any':
      return `none of ${node.children.length} alternatives matched: ${node.children.map((child) => whyNot(child, attributes)).join('; ')}`
    case 'not':
      return `${describeCondition(node.child)} holds, and the rule says not`
    case 'segment':
      return `segment "${node.name}" did not match: ${whyNot(node.child, attributes)}`
  }
}

/** Every attribute a config can read: those its rules test (through segments too) and those `bucketBy` names. */
export function attributesUsedBy(config: ParsedConfig): ReadonlySet<string> {
  const used = new Set<string>()
  const seen = new Set<string>()
  const visit = (condition: Condition): void => {
    if ('all' in condition) condition.all.forEach(visit)
    else if ('any' in condition) condition.any.forEach(visit)
    else if ('not' in condition) visit(condition.not)
    else if ('segment' in condition) {
      if (seen.has(condition.segment)) return
      seen.add(condition.segment)
      if (Object.hasOwn(config.segments, condition.segment)) visit(config.segments[condition.segment]!)
    } else used.add(condition.attribute)
  }
  for (const experiment of Object.values(config.experiments)) {
    for (const name of experiment.bucketBy) used.add(name)
    for (const rule of experiment.rules) visit(rule.when)
  }
  return used
}
