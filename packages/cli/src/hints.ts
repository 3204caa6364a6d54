import type { ConfigIssue } from '@splitlane/core'

/**
 * One kind of config problem and what to do about it. Recognised by the issue's code and params
 * (zod's, kept by core) where core gives them; by message only for core's own (custom) checks.
 */
interface Hint {
  readonly test: (issue: ConfigIssue) => RegExpMatchArray | boolean | null
  readonly fix: (match: RegExpMatchArray, issue: ConfigIssue) => string
}

const names = (list: string) => list.replace(/"/g, '')
const field = (issue: ConfigIssue) => /(\w+)(\[[^\]]*\])?$/.exec(issue.path)?.[1] ?? ''
const message = (pattern: RegExp) => (issue: ConfigIssue) => pattern.exec(issue.message)
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
    test: message(/^duplicate variant name "(.*)"/),
    fix: (match) => `rename one of the variants named "${match[1]}"; names must be unique within an experiment`,
  },
  {
    test: message(/^control "(.*)" names no variant \(variants are (.*)\)$/),
    fix: (match) => `set control to one of the variants: ${names(match[2]!)} (or leave it out: the first variant is control)`,
  },
  {
    test: message(/(?:override names|rule pins|weights name) variant "(.*)", which does not exist \(variants are (.*)\)$/),
    fix: (match) => `use one of the variants: ${names(match[2]!)}, or add a variant named "${match[1]}"`,
  },
  {
    test: message(/^every variant has weight 0/),
    fix: () => 'give one variant a weight above 0, or set enabled: false to serve control to everyone',
  },
  {
    test: message(/^duplicate rule id "(.*)"/),
    fix: (match) => `give each rule its own id; "${match[1]}" is used twice`,
  },
  {
    test: message(/^expected at least one variant$/),
    fix: () => 'add a variant, e.g. variants: [{ name: control }]',
  },
  {
    test: message(/^expected at least one weight above 0$/),
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
    test: message(/^no segment named "(.*)"/),
    fix: (match) => `define segments.${match[1]} at the top level, or use one of the segments listed`,
  },
  {
    test: message(/^no layer named "(.*)"/),
    fix: (match) => `define layers.${match[1]} at the top level, or use one of the layers listed`,
  },
  {
    test: message(/overlaps? .*give each experiment its own slice|overlap$/),
    fix: () => 'make the slices disjoint, e.g. [0, 50] and [50, 100]',
  },
  {
    test: message(/^an experiment in a layer must be sticky/),
    fix: () => 'remove mode: random, or take the experiment out of the layer',
  },
  {
    test: message(/must use the same bucketBy/),
    fix: () => 'give every experiment in the layer the same bucketBy',
  },
  {
    test: message(/in a cycle/),
    fix: () => 'break the cycle: one of these segments must not refer back',
  },
  {
    test: message(/^caseInsensitive applies to string operators only/),
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
