import { z } from 'zod'
import { describeValue } from '../describe.js'

/** Experiment, variant and attribute names travel in headers and metric labels. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const MAX_WEIGHT = 1_000_000
export const MAX_VARIANTS = 1000

const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, received ${describeValue(issue.input)}`,
})

const name = (what: string) => {
  const message = expected(`${what}: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return z.string(message).regex(NAME_PATTERN, message)
}

const weight = () => {
  const message = expected(`integer 0..${MAX_WEIGHT}`)
  return z.number(message).int(message).min(0, message).max(MAX_WEIGHT, message)
}

const exposure = () => {
  const message = expected('a percentage 0..100 with at most 4 decimals')
  return z
    .number(message)
    .min(0, message)
    .max(100, message)
    .refine((value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6, message)
}

export const variantSchema = z.strictObject({
  name: name('a variant name').describe('Unique within the experiment.'),
  weight: weight().default(1).describe('Integer 0..1,000,000; default 1; 0 means none; the sum need not be 100.'),
  value: z.json().optional().describe('Payload returned with the assignment (upstream URL, model name, any JSON).'),
  description: z.string(expected('a string')).optional().describe('Free text for people.'),
})

export const experimentSchema = z
  .strictObject({
    variants: z
      .array(variantSchema, expected('an array of variants'))
      .min(1, { error: 'expected at least one variant' })
      .max(MAX_VARIANTS, { error: `expected at most ${MAX_VARIANTS} variants` })
      .describe('Ordered arms of the experiment.'),
    control: name('a variant name')
      .optional()
      .describe('Variant served on errors, outside exposure and when disabled. Default: the first variant.'),
    enabled: z.boolean(expected('true or false')).default(true).describe('Kill switch: false serves control to everyone.'),
    exposure: exposure()
      .default(100)
      .describe('Percent of eligible units that enter the experiment; up to 4 decimals. Raising it only adds units.'),
    mode: z
      .enum(['sticky', 'random'], expected('"sticky" or "random"'))
      .default('sticky')
      .describe('sticky hashes the unit key; random draws per request.'),
    layout: z
      .enum(['stable', 'ranges'], expected('"stable" or "ranges"'))
      .default('stable')
      .describe('stable: weighted rendezvous hashing; ranges: contiguous cumulative ranges.'),
    salt: z
      .string(expected('a string'))
      .min(1, { error: 'expected a non-empty salt' })
      .optional()
      .describe('Seeds the hash. Default: the experiment name.'),
    bucketBy: z
      .union(
        [
          name('an attribute name'),
          z.array(name('an attribute name')).min(1, { error: 'expected an attribute name or a non-empty list of them' }),
        ],
        expected('an attribute name or a non-empty list of them'),
      )
      .optional()
      .describe('Attribute(s) to take the unit key from, in order of preference.'),
    overrides: z
      .record(z.string(), name('a variant name'), expected('an object mapping unit keys to variant names'))
      .optional()
      .describe('Unit key -> variant, applied before hashing.'),
    description: z.string(expected('a string')).optional().describe('Free text for people.'),
  })
  .superRefine(crossCheckExperiment, { when: () => true })

type Refinement = { addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void }

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
        message: `duplicate variant name "${variantName}" (already used by variants[${first}])`,
      })
  })
  const names = [...seen.keys()].map((n) => `"${n}"`).join(', ')
  if (typeof experiment.control === 'string' && !seen.has(experiment.control))
    ctx.addIssue({
      code: 'custom',
      path: ['control'],
      message: `control "${experiment.control}" names no variant (variants are ${names})`,
    })
  const allZero = variants.length > 0 && variants.every((variant) => ((variant as { weight?: unknown } | null)?.weight ?? 1) === 0)
  if (experiment.enabled !== false && allZero)
    ctx.addIssue({
      code: 'custom',
      path: ['variants'],
      message: 'every variant has weight 0 while enabled is true: give one a weight, or set enabled: false',
    })
  const overrides = experiment.overrides
  if (typeof overrides === 'object' && overrides !== null)
    for (const [key, variant] of Object.entries(overrides))
      if (typeof variant === 'string' && !seen.has(variant))
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', key],
          message: `override names variant "${variant}", which does not exist (variants are ${names})`,
        })
}

export const configSchema = z
  .strictObject(
    {
      $schema: z.string().optional().describe('Editors may point this at the JSON Schema.'),
      version: z.literal(1, expected('version 1')).describe('Config format version.'),
      revision: z
        .union([z.string().min(1), z.number().int().min(0)], expected('a non-empty string or a non-negative integer'))
        .optional()
        .describe('Shows up in every assignment and telemetry record.'),
      experiments: z
        .record(name('an experiment name'), experimentSchema, expected('an object of experiments by name'))
        .describe('Experiments by name.'),
    },
    expected('a config object like { "version": 1, "experiments": { ... } }'),
  )
  .describe('splitlane config')
