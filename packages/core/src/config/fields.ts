// Field schemas and messages every splitlane schema shares (config, targeting, compat layouts, rollout plans).
import * as z from 'zod/mini'
import { describeValue } from '../describe.js'

/** Experiment, variant and attribute names travel in headers and metric labels. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
export const MAX_WEIGHT = 1_000_000

/** A message that says what was expected and what came instead. */
export const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, received ${describeValue(issue.input)}`,
})

/** A name (experiment, variant, attribute, layer, rule id, ...). */
export const nameOf = (what: string) => {
  const message = expected(`${what}: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`)
  return z.string(message).check(z.regex(NAME_PATTERN, message))
}

export const percentage = (what = 'a percentage 0..100 with at most 4 decimals') => {
  const message = expected(what)
  return z.number(message).check(
    z.minimum(0, message),
    z.maximum(100, message),
    z.refine((value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6, message),
  )
}

/** A variant weight. A refinement, not .int(): zod's int check aborts, which would hide the cross-field
 * problems (duplicate names, unknown control) of the same experiment from the one report. */
export const weight = () => {
  const message = expected(`integer 0..${MAX_WEIGHT}`)
  return z.number(message).check(z.refine(Number.isInteger, message), z.minimum(0, message), z.maximum(MAX_WEIGHT, message))
}
