// Structural limits checked before the schema runs. The schema (zod) and the compiler walk
// conditions and variant values recursively, so a config nested a thousand levels deep would
// overflow the stack there; these checks walk with explicit stacks and stop at the limit, so no
// input (not even a cyclic object) can make them recurse or loop.

/**
 * How deep a rule's condition may nest (`not`, `all`, `any`, each `{ segment }` reference counting
 * with the segment's own depth), and how deep a variant's `value` may nest. A leaf condition is 1 deep.
 */
export const MAX_DEPTH = 32

type Path = readonly PropertyKey[]

/** A problem and where it is; parse.ts formats the path. */
export interface LimitIssue {
  readonly path: Path
  readonly message: string
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** Own enumerable entries of a plain object (arrays and junk give none: the schema reports them). */
const entriesOf = (value: unknown): [string, unknown][] => (isObject(value) && !Array.isArray(value) ? Object.entries(value) : [])

interface Walked {
  /** The condition's own depth, or -1 when it is deeper than MAX_DEPTH. */
  readonly depth: number
  /** Its `{ segment }` references, with the depth of the referring node. */
  readonly refs: readonly { readonly name: string; readonly depth: number }[]
}

/** Walks a condition without recursion, stopping below MAX_DEPTH. */
function walkCondition(root: unknown): Walked {
  const refs: { name: string; depth: number }[] = []
  const stack: [unknown, number][] = [[root, 1]]
  let deepest = 0
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (!isObject(node) || Array.isArray(node)) continue
    if (depth > MAX_DEPTH) return { depth: -1, refs }
    deepest = Math.max(deepest, depth)
    if (typeof node.segment === 'string') refs.push({ name: node.segment, depth })
    for (const form of ['all', 'any'] as const) {
      const children = node[form]
      if (Array.isArray(children)) for (const child of children) stack.push([child, depth + 1])
    }
    if (node.not !== undefined) stack.push([node.not, depth + 1])
  }
  return { depth: deepest, refs }
}

/** Is a JSON value nested deeper than MAX_DEPTH (a cyclic value is)? */
function tooDeepValue(root: unknown): boolean {
  if (!isObject(root)) return false // the common scalar, without a stack
  const stack: [unknown, number][] = [[root, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (!isObject(node)) continue
    if (depth > MAX_DEPTH) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (isObject(child)) stack.push([child, depth + 1])
  }
  return false
}

const tooDeep = (path: Path, what: string): LimitIssue => ({
  path,
  message: `${what} nests more than ${MAX_DEPTH} levels deep (the limit keeps evaluation fast and bounded): flatten it, e.g. with all/any lists or segments`,
})

/**
 * Problems the schema cannot be trusted to survive: conditions and values nested deeper than
 * MAX_DEPTH, and `__proto__` used as a name (a parsed record would silently drop it). Reads the
 * input defensively; an empty list means the schema may run.
 */
export function checkLimits(input: unknown): LimitIssue[] {
  const issues: LimitIssue[] = []
  if (!isObject(input)) return issues
  const protoKey = (record: unknown, path: Path, what: string) => {
    if (isObject(record) && !Array.isArray(record) && Object.hasOwn(record, '__proto__'))
      issues.push({ path: [...path, '__proto__'], message: `"__proto__" cannot be ${what}` })
  }
  protoKey(input.experiments, ['experiments'], 'an experiment name')
  protoKey(input.segments, ['segments'], 'a segment name')
  protoKey(input.layers, ['layers'], 'a layer name')

  const segments = new Map<string, Walked>()
  for (const [name, condition] of entriesOf(input.segments)) {
    const walked = walkCondition(condition)
    if (walked.depth < 0) issues.push(tooDeep(['segments', name], 'this segment'))
    else segments.set(name, walked)
  }
  const rules: { path: Path; walked: Walked }[] = []
  // By key, not entriesOf: a pair per experiment was most of this check's time on a large config.
  const experiments = input.experiments
  const names = isObject(experiments) && !Array.isArray(experiments) ? Object.keys(experiments) : []
  for (let index = 0; index < names.length; index++) {
    const name = names[index]!
    const experiment = (experiments as Record<string, unknown>)[name]
    if (!isObject(experiment)) continue
    protoKey(experiment.overrides, ['experiments', name, 'overrides'], 'a unit key in overrides')
    const variants = experiment.variants
    if (Array.isArray(variants))
      variants.forEach((variant, index) => {
        if (isObject(variant) && tooDeepValue(variant.value))
          issues.push(tooDeep(['experiments', name, 'variants', index, 'value'], 'this value'))
      })
    if (Array.isArray(experiment.rules))
      experiment.rules.forEach((rule, index) => {
        if (!isObject(rule)) return
        const path = ['experiments', name, 'rules', index, 'when']
        const walked = walkCondition(rule.when)
        if (walked.depth < 0) issues.push(tooDeep(path, 'this condition'))
        else rules.push({ path, walked })
      })
  }
  if (issues.length > 0) return issues

  // Depth with segments expanded: each segment's, computed once, without recursion. A reference
  // back into a segment being expanded (a cycle, which the schema reports) counts as nothing here.
  const expanded = new Map<string, number>()
  const depthOf = (walked: Walked): number =>
    walked.refs.reduce((deepest, ref) => Math.max(deepest, ref.depth + (expanded.get(ref.name) ?? 0)), walked.depth)
  const open = new Set<string>()
  for (const start of segments.keys()) {
    const stack = [start]
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!
      if (expanded.has(name)) {
        stack.pop()
        continue
      }
      open.add(name)
      const pending = segments.get(name)!.refs.filter((ref) => segments.has(ref.name) && !expanded.has(ref.name) && !open.has(ref.name))
      if (pending.length > 0) {
        for (const ref of pending) stack.push(ref.name)
        continue
      }
      stack.pop()
      open.delete(name)
      expanded.set(name, depthOf(segments.get(name)!))
    }
  }
  for (const [name, depth] of expanded)
    if (depth > MAX_DEPTH) issues.push(tooDeep(['segments', name], 'this segment, with the segments it references,'))
  for (const { path, walked } of rules)
    if (depthOf(walked) > MAX_DEPTH) issues.push(tooDeep(path, 'this condition, with the segments it references,'))
  return issues
}
