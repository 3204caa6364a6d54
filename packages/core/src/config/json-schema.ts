// The config schema as JSON Schema, and the one place its field descriptions live. They are attached to
// a private registry when the JSON Schema is generated, not to the schemas themselves: the validator
// `createSplitter` and `parseConfig` ship stays free of documentation text.
import * as z from 'zod/mini'
import type { ConditionShape } from './targeting-schema.js'
import { compatLayoutSchema } from './compat-schema.js'
import { configSchema, experimentSchema, variantSchema } from './schema.js'
import { conditionSchema, experimentLayerSchema, holdoutSchema, layerSchema, ruleSchema } from './targeting-schema.js'

type Meta = Record<string, unknown>
type Schema = z.core.$ZodType
type WithShape<K extends string> = { shape: Record<K, Schema> }

const FREE_TEXT = 'Free text for people.'

/** Describes the fields of an object schema, by key (a key the object lacks does not compile). */
function fields<K extends string>(registry: z.core.$ZodRegistry<Meta>, object: WithShape<K>, descriptions: Partial<Record<K, string>>) {
  for (const [key, description] of Object.entries(descriptions) as [K, string][]) registry.add(object.shape[key], { description })
}

/** Inner schema of an optional or default wrapper, or a union's option. */
const inner = (schema: Schema): Schema => (schema._zod.def as unknown as { innerType: Schema }).innerType

function configMetadata(): z.core.$ZodRegistry<Meta> {
  const registry = z.registry<Meta>()
  registry.add(configSchema, { description: 'splitlane config' })
  fields(registry, configSchema, {
    $schema: 'Editors may point this at the JSON Schema.',
    version: 'Config format version.',
    revision: 'Shows up in every assignment and telemetry record.',
    experiments: 'Experiments by name.',
    segments: 'Named reusable conditions, referenced by rules as { "segment": "name" }.',
    layers: 'Mutually exclusive groups: a unit is in at most one experiment of a layer.',
    holdout: 'Percent of units excluded from every experiment (control, reason holdout); or { percent, salt }.',
    rollout:
      'Status a fleet rollout controller writes (splitlane rollout run): step, weights, analysis history, decision. Splitters ignore it.',
  })
  fields(registry, experimentSchema, {
    variants: 'Ordered arms of the experiment.',
    control: 'Variant served on errors, outside exposure and when disabled. Default: the first variant.',
    enabled: 'Kill switch: false serves control to everyone.',
    exposure: 'Percent of eligible units that enter the experiment; up to 4 decimals. Raising it only adds units.',
    mode: 'sticky hashes the unit key; random draws per request.',
    layout:
      'stable: weighted rendezvous hashing; ranges: contiguous cumulative ranges; { compat: ... }: flagd, Unleash, Optimizely or GrowthBook bucketing, exactly.',
    salt: 'Seeds the hash. Default: the experiment name.',
    bucketBy: 'Attribute(s) to take the unit key from, in order of preference.',
    overrides: 'Unit key -> variant, applied before hashing.',
    rules: 'Ordered targeting rules; the first that matches decides. None matching: the default split.',
    layer: 'Layer (from top-level layers) and slice: a unit is in at most one experiment of a layer.',
    description: FREE_TEXT,
  })
  fields(registry, variantSchema, {
    name: 'Unique within the experiment.',
    weight: 'Integer 0..1,000,000; default 1; 0 means none; the sum need not be 100.',
    value: 'Payload returned with the assignment (upstream URL, model name, any JSON).',
    description: FREE_TEXT,
  })
  // Weights are numbers checked to be integers by a refinement (see schema.ts): say so in JSON Schema.
  registry.add(inner(variantSchema.shape.weight), { type: 'integer' })
  registry.add((inner(ruleSchema.shape.weights) as unknown as z.ZodMiniRecord)._zod.def.valueType, { type: 'integer' })

  registry.add(conditionSchema, {
    id: 'condition',
    description: 'A condition: { attribute, op, values }, { all }, { any }, { not } or { segment }.',
  })
  fields(registry, conditionSchema as unknown as WithShape<keyof ConditionShape>, {
    attribute: 'Attribute to test (leaf conditions).',
    op: 'Operator (leaf conditions).',
    values: 'The attribute matches when it matches any of these. Not used by exists.',
    caseInsensitive: 'String operators: ignore case.',
    negate: 'Invert the operator on a present, readable attribute.',
    all: 'Every condition matches.',
    any: 'At least one condition matches.',
    not: 'The condition does not match.',
    segment: 'Matches when the named top-level segment does.',
  })
  fields(registry, ruleSchema, {
    id: 'Unique within the experiment; reported as ruleId.',
    variant: 'Pin matching units to this variant.',
    weights: 'Split matching units with these weights (variants left out get 0).',
    exposure: 'Percent of matching units that enter the experiment.',
    description: FREE_TEXT,
  })
  fields(registry, experimentLayerSchema._zod.def.options[1], {
    name: 'A layer from the top-level layers.',
    slice: 'Part(s) of the layer, [start, end) in percent. Default [0, 100]: the whole layer.',
  })
  fields(registry, layerSchema, { salt: "Seeds the layer's hash. Default: the layer name.", description: FREE_TEXT })
  fields(registry, holdoutSchema._zod.def.options[1], {
    percent: 'Percent of units held out.',
    salt: 'Seeds the holdout hash; change it to draw a new holdout.',
  })
  const [flagd, unleash, optimizely, growthbook] = compatLayoutSchema._zod.def.options
  fields(registry, flagd, { seed: 'flagd: the text hashed before the key; default: the salt (the flag key).' })
  fields(registry, unleash, { groupId: 'Unleash: the groupId; default: the salt (the flag name).' })
  fields(registry, optimizely, { experimentId: 'Optimizely: the experiment (or rule) id.' })
  fields(registry, growthbook, {
    seed: 'GrowthBook: the seed; default: the salt (the experiment key).',
    hashVersion: 'GrowthBook: hash version 1 (the SDK default) or 2.',
  })
  return registry
}

/** The config schema as JSON Schema (draft 2020-12), for editors and other languages. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', metadata: configMetadata() })
}
