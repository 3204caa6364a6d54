// Proxy mode: the upstream URL of a request is its variant's `value` (control's when the variant has none).
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { Assignment, JsonValue, Splitter } from '../types.js'
import type { UpstreamResult } from './types.js'

const isHttpUrl = (value: JsonValue): value is string => typeof value === 'string' && /^https?:\/\/[^\s/]+/i.test(value)

/** The assignment of `experiment`, or of the only experiment when none is named. */
export function pickAssignment(assignments: Readonly<Record<string, Assignment>>, experiment?: string): Assignment | undefined {
  if (experiment !== undefined) return assignments[experiment]
  const all = Object.values(assignments)
  return all.length === 1 ? all[0] : undefined
}

/** Where to send the request: the variant's URL, else control's URL, else an error saying what to fix. */
export function upstreamOf(splitter: Splitter, assignments: Readonly<Record<string, Assignment>>, experiment?: string): UpstreamResult {
  const assignment = pickAssignment(assignments, experiment)
  if (assignment === undefined)
    return {
      ok: false,
      error: new SplitlaneError(
        ErrorCode.UpstreamInvalid,
        experiment === undefined
          ? `proxy: name the experiment, this route assigns ${Object.keys(assignments).length} experiments`
          : `proxy: experiment ${JSON.stringify(experiment)} is not assigned on this route`,
        { experiment },
      ),
    }
  if (isHttpUrl(assignment.value)) return { ok: true, url: assignment.value, assignment }
  const config = splitter.config.experiments[assignment.experiment]
  const control = config?.variants.find((variant) => variant.name === config.control)
  if (control !== undefined && isHttpUrl(control.value)) return { ok: true, url: control.value, assignment }
  return {
    ok: false,
    error: new SplitlaneError(
      ErrorCode.UpstreamInvalid,
      `proxy: variant ${JSON.stringify(assignment.variant)} of ${assignment.experiment} has no http(s) URL as its value, nor has control`,
      { experiment: assignment.experiment },
    ),
  }
}
