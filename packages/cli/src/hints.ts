import type { ConfigIssue } from '@splitlane/core'

/**
 * One kind of config problem and what to do about it. Recognised by the issue's code and params:
 * zod's, or the stable code of one of core's own checks. The few left matched by message are zod
 * issues whose wording core sets in its schema (`expected ...`), where the code alone is too general.
 */
interface Hint {
  readonly test: (issue: ConfigIssue) => RegExpMatchArray | boolean | null
  readonly fix: (match: RegExpMatchArray, issue: ConfigIssue) => string
}

const field = (issue: ConfigIssue) => /(\w+)(\[[^\]]*\])?$/.exec(issue.path)?.[1] ?? ''
const message = (pattern: RegExp) => (issue: ConfigIssue) => pattern.exec(issue.message)
/** One of core's own checks, by its stable code (see ConfigIssue.code). */
const code = (name: string) => (issue: ConfigIssue) => issue.code === name
const param = (issue: ConfigIssue, name: string) => {
  const value = issue.params?.[name]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : ''
}
const list = (issue: ConfigIssue, name: string) => {
  const values = issue.params?.[name]
  return Array.isArray(values) && values.length > 0 ? values.map(String).join(', ') : 'none'
}
const NO_MATCH = [] as unknown as RegExpMatchArray

// First match wins; the order goes from specific to general.
const HINTS: readonly Hint[] = [
  {
    test: (issue) => issue.code === 'unrecognized_keys' && typeof issue.params?.suggestion === 'string',
    fix: (_, issue) => `rename "${String(issue.params!.key)}" to "${String(issue.params!.suggestion)}"`,
  },
  {
    test: (issue) => issue.code === 'unrecognized_keys',
    fix: (_, issue) => `remove "${String(issue.params?.key)}"; see docs/reference/config.md for the keys allowed here`,
  },
  {
    // Any bad value of a weight (wrong type, fraction, out of range) has the same fix.
    test: (issue) => field(issue) === 'weight' && issue.code !== 'unrecognized_keys',
    fix: () => 'use integer weights 0..1000000; they are relative, e.g. 95 and 5 (0 means none)',
  },
  {
    test: (issue) => issue.code === 'invalid_value' && Array.isArray(issue.params?.values) && issue.params.values.length === 2,
    fix: (_, issue) => {
      const [first, second] = issue.params!.values as unknown[]
      return typeof first === 'boolean' ? 'use true or false without quotes' : `use "${String(first)}" or "${String(second)}"`
    },
  },
  {
    test: code('duplicate_variant'),
    fix: (_, issue) => `rename one of the variants named "${param(issue, 'variant')}"; names must be unique within an experiment`,
  },
  {
    test: code('unknown_control'),
    fix: (_, issue) => `set control to one of the variants: ${list(issue, 'variants')} (or leave it out: the first variant is control)`,
  },
  {
    test: code('unknown_variant'),
    fix: (_, issue) => `use one of the variants: ${list(issue, 'variants')}, or add a variant named "${param(issue, 'variant')}"`,
  },
  {
    test: code('all_weights_zero'),
    fix: () => 'give one variant a weight above 0, or set enabled: false to serve control to everyone',
  },
  {
    test: code('duplicate_rule_id'),
    fix: (_, issue) => `give each rule its own id; "${param(issue, 'id')}" is used twice`,
  },
  {
    test: message(/^expected at least one variant$/),
    fix: () => 'add a variant, e.g. variants: [{ name: control }]',
  },
  {
    test: code('no_positive_weight'),
    fix: () => 'give at least one variant in the rule a weight above 0, or pin it with variant: <name>',
  },
  {
    test: message(/^expected version 1/),
    fix: () => 'add version: 1 at the top of the file',
  },
  {
    test: message(/^expected an object of experiments by name/),
    fix: () => 'add experiments: { <name>: { variants: [...] } }',
  },
  {
    test: message(/^expected (?:an? )?[\w ]*percent(?:age)? (?:in percent )?0\.\.100/),
    fix: (_, issue) =>
      `use a percentage between 0 and 100, e.g. ${field(issue)}: 25 or 12.5 (not a fraction like 0.25 unless you mean 0.25%)`,
  },
  {
    test: message(/^(?:invalid name: )?expected (?:a|an) ([\w ]+ name): 1-128 letters/),
    fix: (match) => `use only letters, digits, '.', '_' or '-' in ${match[1]}, starting with a letter or digit, e.g. "new-checkout"`,
  },
  {
    test: code('unknown_segment'),
    fix: (_, issue) =>
      `define segments.${param(issue, 'segment')} at the top level, or use one of the segments: ${list(issue, 'segments')}`,
  },
  {
    test: code('unknown_layer'),
    fix: (_, issue) => `define layers.${param(issue, 'layer')} at the top level, or use one of the layers: ${list(issue, 'layers')}`,
  },
  {
    test: code('slice_overlap'),
    fix: () => 'make the slices disjoint, e.g. [0, 50] and [50, 100]',
  },
  {
    test: code('layer_not_sticky'),
    fix: () => 'remove mode: random, or take the experiment out of the layer',
  },
  {
    test: code('layer_bucket_by_differs'),
    fix: () => 'give every experiment in the layer the same bucketBy',
  },
  {
    test: code('segment_cycle'),
    fix: () => 'break the cycle: one of these segments must not refer back',
  },
  {
    test: code('case_insensitive_not_string'),
    fix: () => 'remove caseInsensitive, or use a string operator (equals, contains, startsWith, ...)',
  },
  {
    test: message(/^expected "(\w+)" or "(\w+)"/),
    fix: (match) => `use "${match[1]}" or "${match[2]}"`,
  },
  {
    test: message(/^expected true or false/),
    fix: () => 'use true or false without quotes',
  },
  {
    test: message(/^expected (?:an? )?(.*?), received/),
    fix: (match) => `write ${match[1]} here`,
  },
]

/** A short, specific fix for a config problem, or `null` when none is known. */
export function fixFor(issue: ConfigIssue): string | null {
  for (const hint of HINTS) {
    const match = hint.test(issue)
    if (match) return hint.fix(match === true ? NO_MATCH : match, issue)
  }
  return null
}
