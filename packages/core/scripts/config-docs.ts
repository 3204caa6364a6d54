// Renders docs/reference/config.md and docs/reference/config.schema.json from the zod schema.
// `pnpm docs:config` writes them; packages/core/test/docs.test.ts fails when they are stale.
import { configJsonSchema } from '../src/json-schema.js'

type Schema = {
  type?: string | string[]
  const?: unknown
  enum?: unknown[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  $ref?: string
  items?: Schema
  prefixItems?: Schema[]
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  propertyNames?: Schema
  required?: string[]
  default?: unknown
  description?: string
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  minLength?: number
  pattern?: string
}

function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ')
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ')
  if (schema.oneOf?.every((option) => option.properties?.compat?.const !== undefined)) return 'compat layout (below)'
  if (schema.$ref) return schema.$ref === '#/$defs/condition' ? 'condition' : 'any JSON'
  if (schema.prefixItems) return `[${schema.prefixItems.map(typeOf).join(', ')}]`
  if (schema.type === 'array') return `${typeOf(schema.items ?? {})}[]`
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object')
    return `map of ${typeOf(schema.additionalProperties)}`
  if (Array.isArray(schema.type)) return `(${schema.type.join(' \\| ')})`
  return schema.type ?? 'any'
}

function constraintsOf(schema: Schema): string {
  const parts: string[] = []
  for (const option of schema.anyOf ?? [schema]) {
    if (option.minimum !== undefined && option.maximum !== undefined && option.maximum < 2 ** 53 - 1)
      parts.push(`${option.minimum}..${option.maximum}`)
    else if (option.minimum !== undefined) parts.push(`≥ ${option.minimum}`)
    if (option.minItems !== undefined) parts.push(`${option.minItems}${option.maxItems ? `..${option.maxItems}` : '+'} items`)
    if (option.minLength !== undefined) parts.push('non-empty')
    if (option.pattern === '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' || option.items?.pattern) parts.push('name pattern')
  }
  return [...new Set(parts)].join(', ')
}

function table(schema: Schema): string {
  const required = new Set(schema.required ?? [])
  const rows = Object.entries(schema.properties ?? {}).map(([field, property]) => {
    const fallback = property.default === undefined ? (required.has(field) ? 'required' : '') : `\`${JSON.stringify(property.default)}\``
    const meaning = property.description ?? (property.$ref === '#/$defs/condition' ? 'Who the rule applies to: a condition (below).' : '')
    return `| \`${field}\` | ${typeOf(property)} | ${fallback} | ${constraintsOf(property)} | ${meaning} |`
  })
  return ['| field | type | default | constraints | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n')
}

export function renderConfigSchemaJson(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`
}

export function renderConfigDocs(): string {
  const root = configJsonSchema() as Schema
  const experiment = root.properties!.experiments!.additionalProperties as Schema
  const variant = experiment.properties!.variants!.items!
  const rule = experiment.properties!.rules!.items!
  const condition = (root as { $defs: Record<string, Schema> }).$defs.condition!
  const experimentLayer = experiment.properties!.layer!.anyOf![1]!
  const layer = root.properties!.layers!.additionalProperties as Schema
  const holdout = root.properties!.holdout!.anyOf![1]!
  const compatLayouts = experiment.properties!.layout!.anyOf![1]!.oneOf!
  return `<!-- Generated from the zod schema by \`pnpm docs:config\`; do not edit by hand. -->

# Config reference

A splitlane config is JSON (YAML in the CLI) validated by a zod schema. The same schema is published
as JSON Schema, shipped in the package as \`@splitlane/core/config.schema.json\`
([source](../../packages/core/config.schema.json)): point an editor at it with
\`"$schema": "./node_modules/@splitlane/core/config.schema.json"\`.
\`parseConfig\` fills in every default shown below and rejects unknown keys, so a typo is an error,
not a silent default. Every problem is reported at once, with its path:

\`\`\`text
Invalid splitlane config (2 problems):
  - experiments.checkout.variants[1].weight: expected integer 0..1000000, received -5
  - experiments.checkout.variants[0].wieght: unknown key "wieght" (did you mean "weight"?)
\`\`\`

Names (experiments, variants, \`bucketBy\` attributes) match \`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$\`:
they travel in headers and metric labels.

## Top level

${table(root)}

## Experiment (\`experiments.<name>\`)

${table(experiment)}

Checks that span fields:

- variant names are unique within an experiment;
- \`control\` names one of the variants;
- when \`enabled\` is true, at least one variant has a weight above 0;
- every \`overrides\` entry names one of the variants;
- rule ids are unique, and rules name variants of the experiment;
- \`layer\` names a declared layer, and experiments of one layer have non-overlapping slices, the
  same \`bucketBy\`, and \`mode: "sticky"\`;
- \`mode: "random"\` needs a random source: \`createSplitter({ config, random: Math.random })\`.

## Compat layout (\`experiments.<name>.layout\`)

\`layout: { "compat": ... }\` reproduces another system's bucketing exactly, so that units keep the
variant they had there; weights are in that system's units. [Migrating](../migrating.md#keep-every-user-in-their-variant-compat-layouts)
says how to copy each system's values.

${compatLayouts.map((option) => `### \`${JSON.stringify(option.properties!.compat!.const)}\`\n\n${table(option)}`).join('\n\n')}

Checks: a compat layout needs \`mode: "sticky"\`; \`flagd\` and \`optimizely\` have no exposure
(\`exposure\` stays 100, no exposure rules); \`optimizely\` weights sum to at most 10,000;
\`growthbook\` weights (two or more variants) sum to 990,000..1,010,000.

## Variant (\`experiments.<name>.variants[i]\`)

${table(variant)}

Weights follow Gateway API \`backendRefs\` semantics: an omitted weight is 1, 0 sends nothing, and
the shares are \`weight / sum of weights\`, so the sum need not be 100.

## Rule (\`experiments.<name>.rules[i]\`)

${table(rule)}

Exactly one of \`variant\`, \`weights\` or \`exposure\`. Rule ids are unique within the experiment;
\`variant\` and the names in \`weights\` name variants of the experiment; \`weights\` give at least one
variant a weight above 0. See the [targeting guide](../guides/targeting.md).

## Condition (\`rules[i].when\`, \`segments.<name>\`)

${table(condition)}

Exactly one of \`attribute\` (with \`op\` and, except for \`exists\`, a non-empty \`values\`), \`all\`,
\`any\`, \`not\` or \`segment\`. Values are checked for their operator when the config is loaded
(numbers for \`eq\`..\`lte\`, semantic versions for \`semver*\`, ISO 8601 for \`before\`/\`after\`,
CIDRs for \`cidr\`, RE2 patterns for \`regex\`); \`caseInsensitive\` applies to string operators only;
a \`segment\` names a top-level segment, and segments may not refer to each other in a cycle.
\`regex\` needs the RE2 engine, installed by \`import '@splitlane/core/regex'\` (the config sources and
the CLI import it); without it a \`regex\` rule is rejected with issue code \`regex_engine_missing\`
(see the [targeting guide](../guides/targeting.md#every-operator)).

## Layer membership (\`experiments.<name>.layer\`)

A layer name, or:

${table(experimentLayer)}

The layer is declared in the top-level \`layers\`. Slices of experiments in one layer may not
overlap; those experiments share their \`bucketBy\` and are sticky. See
[layers and holdouts](../guides/layers-and-holdouts.md).

## Layer (\`layers.<name>\`)

${table(layer)}

## Holdout (\`holdout\`)

A percentage, or:

${table(holdout)}

## Example

\`\`\`json
{
  "version": 1,
  "revision": "2026-11-22.1",
  "experiments": {
    "checkout": {
      "variants": [
        { "name": "v1", "weight": 10, "value": "http://v1.internal" },
        { "name": "v2", "weight": 10, "value": "http://v2.internal" },
        { "name": "v3", "weight": 80, "value": "http://v3.internal" }
      ],
      "control": "v3",
      "exposure": 100,
      "bucketBy": ["userId", "sessionId"],
      "overrides": { "qa-alice": "v2" },
      "rules": [
        { "id": "beta-testers", "when": { "segment": "beta" }, "variant": "v2" },
        { "id": "old-apps", "when": { "attribute": "appVersion", "op": "semverLt", "values": ["2.0.0"] }, "variant": "v3" },
        { "id": "office", "when": { "attribute": "ip", "op": "cidr", "values": ["10.0.0.0/8"] }, "weights": { "v1": 50, "v2": 50 } }
      ],
      "layer": { "name": "checkout-page", "slice": [0, 60] }
    },
    "banner": {
      "variants": [{ "name": "off" }, { "name": "on" }],
      "bucketBy": ["userId", "sessionId"],
      "layer": { "name": "checkout-page", "slice": [60, 100] }
    }
  },
  "segments": {
    "beta": { "any": [{ "attribute": "groups", "op": "in", "values": ["beta"] }, { "attribute": "email", "op": "endsWith", "values": ["@example.com"] }] }
  },
  "layers": { "checkout-page": {} },
  "holdout": 2
}
\`\`\`
`
}
