import * as z from 'zod/mini'
import { expected, nameOf as name, percentage, weight } from './fields.js'
import { compatLayoutSchema, compatProblem, crossCheckCompat } from './compat-schema.js'
import { conditionSchema, experimentLayerSchema, holdoutSchema, layerSchema, ruleSchema } from './targeting-schema.js'

export { NAME_PATTERN, MAX_WEIGHT } from './fields.js'
export const MAX_VARIANTS = 1000

export const variantSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    name: name('a variant name'),
    weight: z._default(weight(), 1),
    value: z.optional(z.json()),
    description: z.optional(z.string(expected('a string'))),
  }))()

export const experimentSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      variants: z
        .array(variantSchema, expected('an array of variants'))
        .check(
          z.minLength(1, { error: 'expected at least one variant' }),
          z.maxLength(MAX_VARIANTS, { error: `expected at most ${MAX_VARIANTS} variants` }),
        ),
      control: z.optional(name('a variant name')),
      enabled: z._default(z.boolean(expected('true or false')), true),
      exposure: z._default(percentage(), 100),
      mode: z._default(z.enum(['sticky', 'random'], expected('"sticky" or "random"')), 'sticky'),
      layout: z._default(
        z.union([z.enum(['stable', 'ranges']), compatLayoutSchema], {
          error: (issue) => compatProblem(issue) ?? expected('"stable", "ranges" or { "compat": ... }').error(issue),
        }),
        'stable',
      ),
      salt: z.optional(z.string(expected('a string')).check(z.minLength(1, { error: 'expected a non-empty salt' }))),
      bucketBy: z.optional(
        z.union(
          [
            name('an attribute name'),
            z.array(name('an attribute name')).check(z.minLength(1, { error: 'expected an attribute name or a non-empty list of them' })),
          ],
          expected('an attribute name or a non-empty list of them'),
        ),
      ),
      overrides: z.optional(z.record(z.string(), name('a variant name'), expected('an object mapping unit keys to variant names'))),
      rules: z.optional(z.array(ruleSchema, expected('an array of rules'))),
      layer: z.optional(experimentLayerSchema),
      description: z.optional(z.string(expected('a string'))),
    })
    .check(z.superRefine(crossCheckExperiment, { when: () => true }), z.superRefine(crossCheckCompat, { when: () => true })))()

/** `params.check` names the check: it becomes the issue's stable `code` (see ConfigIssue), the rest its `params`. */
type Refinement = {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string; params: { check: string } & Record<string, unknown> }): void
}

/**
 * Checks that span fields. Runs even when single fields failed, so one pass reports every problem;
 * hence it reads its input defensively.
 */
function crossCheckExperiment(input: unknown, ctx: Refinement): void {
  const experiment = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>
  const variants = (Array.isArray(experiment.variants) ? experiment.variants : []) as unknown[]
  const seen = new Map<string, number>()
  variants.forEach((variant, index) => {
    const variantName = (variant as { name?: unknown } | null)?.name
    if (typeof variantName !== 'string') return
    const first = seen.get(variantName)
    if (first === undefined) seen.set(variantName, index)
    else
      ctx.addIssue({
        code: 'custom',
        path: ['variants', index, 'name'],
        params: { check: 'duplicate_variant', variant: variantName, first },
        message: `duplicate variant name "${variantName}" (already used by variants[${first}])`,
      })
  })
  const names = [...seen.keys()].map((n) => `"${n}"`).join(', ')
  if (typeof experiment.control === 'string' && !seen.has(experiment.control))
    ctx.addIssue({
      code: 'custom',
      path: ['control'],
      params: { check: 'unknown_control', control: experiment.control, variants: [...seen.keys()] },
      message: `control "${experiment.control}" names no variant (variants are ${names})`,
    })
  const allZero = variants.length > 0 && variants.every((variant) => ((variant as { weight?: unknown } | null)?.weight ?? 1) === 0)
  if (experiment.enabled !== false && allZero)
    ctx.addIssue({
      code: 'custom',
      path: ['variants'],
      params: { check: 'all_weights_zero' },
      message: 'every variant has weight 0 while enabled is true: give one a weight, or set enabled: false',
    })
  const overrides = experiment.overrides
  if (typeof overrides === 'object' && overrides !== null)
    for (const [key, variant] of Object.entries(overrides))
      if (typeof variant === 'string' && !seen.has(variant))
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', key],
          params: { check: 'unknown_variant', variant, variants: [...seen.keys()] },
          message: `override names variant "${variant}", which does not exist (variants are ${names})`,
        })
  const rules = (Array.isArray(experiment.rules) ? experiment.rules : []) as unknown[]
  const ruleIds = new Map<string, number>()
  rules.forEach((value, index) => {
    if (typeof value !== 'object' || value === null) return
    const rule = value as Record<string, unknown>
    if (typeof rule.id === 'string') {
      const first = ruleIds.get(rule.id)
      if (first === undefined) ruleIds.set(rule.id, index)
      else
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'id'],
          params: { check: 'duplicate_rule_id', id: rule.id, first },
          message: `duplicate rule id "${rule.id}" (already used by rules[${first}])`,
        })
    }
    if (typeof rule.variant === 'string' && !seen.has(rule.variant))
      ctx.addIssue({
        code: 'custom',
        path: ['rules', index, 'variant'],
        params: { check: 'unknown_variant', variant: rule.variant, variants: [...seen.keys()] },
        message: `rule pins variant "${rule.variant}", which does not exist (variants are ${names})`,
      })
    if (typeof rule.weights === 'object' && rule.weights !== null) {
      const weights = Object.entries(rule.weights as Record<string, unknown>)
      for (const [variant] of weights)
        if (!seen.has(variant))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'weights', variant],
            params: { check: 'unknown_variant', variant, variants: [...seen.keys()] },
            message: `weights name variant "${variant}", which does not exist (variants are ${names})`,
          })
      if (!weights.some(([, weight]) => typeof weight === 'number' && weight > 0))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'weights'],
          params: { check: 'no_positive_weight' },
          message: 'expected at least one weight above 0',
        })
    }
  })
}

type Ref = { name: string; path: PropertyKey[] }

/** Every `{ segment }` reference inside a condition, with its path. */
function segmentRefs(condition: unknown, path: PropertyKey[], out: Ref[]): Ref[] {
  if (typeof condition !== 'object' || condition === null) return out
  const node = condition as Record<string, unknown>
  if (typeof node.segment === 'string') out.push({ name: node.segment, path: [...path, 'segment'] })
  for (const form of ['all', 'any'] as const)
    if (Array.isArray(node[form])) (node[form] as unknown[]).forEach((child, index) => segmentRefs(child, [...path, form, index], out))
  if (node.not !== undefined) segmentRefs(node.not, [...path, 'not'], out)
  return out
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

const slicesOf = (layer: unknown): [number, number][] => {
  if (typeof layer !== 'object' || layer === null) return [[0, 100]]
  const slice = (layer as { slice?: unknown }).slice
  if (slice === undefined) return [[0, 100]]
  if (!Array.isArray(slice)) return []
  const list = (Array.isArray(slice[0]) ? slice : [slice]) as unknown[]
  return list.filter((s): s is [number, number] => Array.isArray(s) && typeof s[0] === 'number' && typeof s[1] === 'number' && s[0] < s[1])
}

/** bucketBy as comparable text; anything but a name or a list of strings (reported elsewhere) as one marker. */
const bucketByText = (bucketBy: unknown): string => {
  const list = [bucketBy ?? []].flat()
  return list.every((name) => typeof name === 'string') ? JSON.stringify(list) : '(invalid)'
}

/** Checks that span experiments: segment references, layers and their slices. */
function crossCheckConfig(input: unknown, ctx: Refinement): void {
  const config = asRecord(input)
  const segments = asRecord(config.segments)
  const experiments = asRecord(config.experiments)
  const layers = asRecord(config.layers)

  // segment references exist, and segments do not refer to themselves through others
  const segmentEdges = new Map(Object.entries(segments).map(([name, condition]) => [name, segmentRefs(condition, ['segments', name], [])]))
  const refs = [...segmentEdges.values()].flat()
  for (const [name, experiment] of Object.entries(experiments)) {
    const rules = asRecord(experiment).rules
    if (Array.isArray(rules))
      rules.forEach((rule, index) => segmentRefs(asRecord(rule).when, ['experiments', name, 'rules', index, 'when'], refs))
  }
  const known = Object.keys(segments)
  for (const ref of refs)
    if (!segmentEdges.has(ref.name))
      ctx.addIssue({
        code: 'custom',
        path: ref.path,
        params: { check: 'unknown_segment', segment: ref.name, segments: known },
        message: `no segment named "${ref.name}" (segments are ${known.map((n) => `"${n}"`).join(', ') || 'none'})`,
      })
  // Depth-first with an explicit stack (a long chain of segments must not overflow the call stack).
  const done = new Set<string>()
  for (const start of segmentEdges.keys()) {
    if (done.has(start)) continue
    const trail: { name: string; next: number }[] = [{ name: start, next: 0 }]
    while (trail.length > 0) {
      const top = trail[trail.length - 1]!
      const edges = segmentEdges.get(top.name)!
      if (top.next === edges.length) {
        done.add(top.name)
        trail.pop()
        continue
      }
      const next = edges[top.next++]!.name
      if (done.has(next) || !segmentEdges.has(next)) continue
      const at = trail.findIndex((entry) => entry.name === next)
      if (at < 0) trail.push({ name: next, next: 0 })
      else {
        const cycle = [...trail.slice(at).map((entry) => entry.name), next]
        ctx.addIssue({
          code: 'custom',
          path: ['segments', next],
          params: { check: 'segment_cycle', cycle },
          message: `segments refer to each other in a cycle: ${cycle.join(' -> ')}`,
        })
      }
    }
  }

  // layers exist; experiments in one layer share their key and do not overlap
  const byLayer = new Map<string, { experiment: string; slices: [number, number][]; bucketBy: string }[]>()
  for (const [name, value] of Object.entries(experiments)) {
    const experiment = asRecord(value)
    const layer = experiment.layer
    const layerName = typeof layer === 'string' ? layer : asRecord(layer).name
    if (typeof layerName !== 'string') continue
    const path = ['experiments', name, 'layer']
    if (!Object.hasOwn(layers, layerName)) {
      const names =
        Object.keys(layers)
          .map((n) => `"${n}"`)
          .join(', ') || 'none'
      ctx.addIssue({
        code: 'custom',
        path,
        params: { check: 'unknown_layer', layer: layerName, layers: Object.keys(layers) },
        message: `no layer named "${layerName}" in the top-level layers (layers are ${names})`,
      })
      continue
    }
    if (experiment.mode === 'random')
      ctx.addIssue({
        code: 'custom',
        path: ['experiments', name, 'mode'],
        params: { check: 'layer_not_sticky', layer: layerName },
        message: 'an experiment in a layer must be sticky: a layer slices units by key',
      })
    const members = byLayer.get(layerName) ?? []
    byLayer.set(layerName, members)
    const mine = { experiment: name, slices: slicesOf(layer), bucketBy: bucketByText(experiment.bucketBy) }
    for (const other of members) {
      if (other.bucketBy !== mine.bucketBy)
        ctx.addIssue({
          code: 'custom',
          path: ['experiments', name, 'bucketBy'],
          params: { check: 'layer_bucket_by_differs', layer: layerName, other: other.experiment, bucketBy: other.bucketBy },
          message: `experiments in layer "${layerName}" must use the same bucketBy; "${other.experiment}" uses ${other.bucketBy}`,
        })
      for (const [start, end] of mine.slices)
        for (const [otherStart, otherEnd] of other.slices)
          if (start < otherEnd && otherStart < end)
            ctx.addIssue({
              code: 'custom',
              path,
              params: {
                check: 'slice_overlap',
                layer: layerName,
                slice: [start, end],
                other: other.experiment,
                otherSlice: [otherStart, otherEnd],
              },
              message: `slice [${start}, ${end}) overlaps [${otherStart}, ${otherEnd}) of "${other.experiment}" in layer "${layerName}": give each experiment its own slice`,
            })
    }
    for (let i = 0; i < mine.slices.length; i++)
      for (let j = i + 1; j < mine.slices.length; j++) {
        const [a, b] = [mine.slices[i]!, mine.slices[j]!]
        if (a[0] < b[1] && b[0] < a[1])
          ctx.addIssue({
            code: 'custom',
            path,
            params: { check: 'slice_overlap', layer: layerName, slice: a, otherSlice: b },
            message: `slices [${a[0]}, ${a[1]}) and [${b[0]}, ${b[1]}) overlap`,
          })
      }
    members.push(mine)
  }
}

export const configSchema = /* @__PURE__ */ (() =>
  z
    .strictObject(
      {
        $schema: z.optional(z.string()),
        version: z.literal(1, expected('version 1')),
        revision: z.optional(
          z.union(
            [z.string().check(z.minLength(1)), z.int().check(z.minimum(0))],
            expected('a non-empty string or a non-negative integer'),
          ),
        ),
        experiments: z.record(name('an experiment name'), experimentSchema, expected('an object of experiments by name')),
        segments: z.optional(z.record(name('a segment name'), conditionSchema, expected('an object of conditions by name'))),
        layers: z.optional(z.record(name('a layer name'), layerSchema, expected('an object of layers by name'))),
        holdout: z.optional(holdoutSchema),
        rollout: z.optional(z.record(z.string(), z.unknown(), expected('an object'))),
      },
      expected('a config object like { "version": 1, "experiments": { ... } }'),
    )
    .check(z.superRefine(crossCheckConfig, { when: () => true })))()
