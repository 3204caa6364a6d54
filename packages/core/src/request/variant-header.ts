// The response (and upstream) header naming each experiment's variant: `checkout=canary, search=v2`.
import { NAME_PATTERN } from '../config/schema.js'
import type { Assignment } from '../types.js'

export const DEFAULT_VARIANT_HEADER = 'splitlane-variant'

/** `experiment=variant` pairs joined by `, `; assignments without a variant are left out. */
export function formatVariantHeader(assignments: Iterable<Pick<Assignment, 'experiment' | 'variant'>>): string {
  let header = '' // built by concatenation: no array per request
  for (const { experiment, variant } of assignments)
    if (variant !== null) header = header === '' ? `${experiment}=${variant}` : `${header}, ${experiment}=${variant}`
  return header
}

/**
 * Reads the header back: experiment -> variant (a null-prototype record). Lenient: entries that are
 * not `name=name` are skipped; several header lines (an array) are read in order, the first wins.
 */
export function parseVariantHeader(value: string | readonly string[] | null | undefined): Record<string, string> {
  const result = Object.create(null) as Record<string, string>
  if (value === null || value === undefined) return result
  const lines = typeof value === 'string' ? [value] : value
  for (const line of lines) {
    if (typeof line !== 'string') continue
    for (const entry of line.split(',')) {
      const at = entry.indexOf('=')
      if (at < 0) continue
      const experiment = entry.slice(0, at).trim()
      const variant = entry.slice(at + 1).trim()
      if (NAME_PATTERN.test(experiment) && NAME_PATTERN.test(variant) && !(experiment in result)) result[experiment] = variant
    }
  }
  return result
}
