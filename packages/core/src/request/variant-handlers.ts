// The one rule for a handler per variant (Express and Fetch `byVariant`, Fastify route `variants`):
// which experiment, what each key means, and what is wrong with a map, checked when the route is built.
import { ErrorCode, SplitlaneError } from '../errors.js'
import type { Assignment, Splitter } from '../types.js'

/** The key that means "the experiment's control variant, whatever its name" (a variant of that name wins). */
export const CONTROL_ROLE = 'control'

export interface VariantHandlersOptions<H> {
  splitter: Splitter
  handlers: Readonly<Partial<Record<string, H>>>
  /** The experiment to route by; required when `candidates` (default: the config's experiments) has more than one. */
  experiment?: string
  /** The experiments the route can assign, when narrower than the config's (a route's `experiments`). */
  candidates?: readonly string[]
  /** Names the route in messages, e.g. `byVariant`. */
  where: string
}

export interface VariantHandlers<H> {
  /**
   * The handler of this request's variant, `undefined` to fall through, or an error when the route cannot
   * tell which experiment to follow (a second one added by a live update). Never throws; a handler key that
   * a live update left without its variant is reported once per config.
   */
  pick(assignments: Readonly<Record<string, Assignment>>, report: (error: SplitlaneError) => void): H | undefined | SplitlaneError
}

const list = (names: readonly string[]) => names.join(', ')

/** What is wrong with `handlers` for `experiment`'s variants in `config`, or undefined. */
function mismatch(splitter: Splitter, experiment: string, handlers: object, where: string): SplitlaneError | undefined {
  const experiments = splitter.config.experiments
  if (!Object.hasOwn(experiments, experiment)) return undefined // not in this config (yet): nothing to check against
  const { variants, control } = experiments[experiment]!
  const names = variants.map((variant) => variant.name)
  const controlName = control ?? names[0]
  const stray = Object.keys(handlers).filter((key) => !names.includes(key) && key !== CONTROL_ROLE)
  if (stray.length > 0)
    return new SplitlaneError(
      ErrorCode.OptionsInvalid,
      `${where}: ${stray.map((key) => JSON.stringify(key)).join(', ')} names no variant of ${JSON.stringify(experiment)} (variants: ${list(names)}; \`${CONTROL_ROLE}\` means its control variant, ${controlName})`,
      { experiment },
    )
  if (Object.hasOwn(handlers, CONTROL_ROLE) && !names.includes(CONTROL_ROLE) && Object.hasOwn(handlers, controlName))
    return new SplitlaneError(
      ErrorCode.OptionsInvalid,
      `${where}: "${CONTROL_ROLE}" and ${JSON.stringify(controlName)} both name the control variant of ${JSON.stringify(experiment)}: keep one`,
      { experiment },
    )
  return undefined
}

/** Checks the handler map against the splitter's config now; throws `SPLITLANE_ERR_OPTIONS_INVALID` saying what to fix. */
export function createVariantHandlers<H>(options: VariantHandlersOptions<H>): VariantHandlers<H> {
  const { splitter, handlers, experiment, where } = options
  if (splitter === undefined || typeof splitter.assign !== 'function')
    throw new SplitlaneError(
      ErrorCode.OptionsInvalid,
      `${where}: pass { splitter } (the one your middleware uses) so the handlers can be checked`,
    )
  const candidates = options.candidates ?? Object.keys(splitter.config.experiments)
  if (experiment === undefined && candidates.length > 1)
    throw new SplitlaneError(
      ErrorCode.OptionsInvalid,
      `${where}: the config has several experiments (${list(candidates)}); name the one to route by with { experiment }`,
    )
  const checked = experiment ?? candidates[0]
  const problem = checked === undefined ? undefined : mismatch(splitter, checked, handlers, where)
  if (problem !== undefined) throw problem

  let seenConfig: object = splitter.config
  return {
    pick(assignments, report) {
      let assignment: Assignment | undefined
      if (experiment !== undefined) assignment = Object.hasOwn(assignments, experiment) ? assignments[experiment] : undefined
      else {
        const assigned = Object.keys(assignments)
        if (assigned.length > 1)
          // Routing by a guess would serve one variant while the header names another.
          return new SplitlaneError(
            ErrorCode.OptionsInvalid,
            `${where}: the request has several experiments (${list(assigned)}); name one with { experiment }`,
          )
        assignment = assigned.length === 1 ? assignments[assigned[0]!] : undefined
      }
      const config = splitter.config
      if (config !== seenConfig) {
        seenConfig = config
        const stale = assignment === undefined ? undefined : mismatch(splitter, assignment.experiment, handlers, where)
        if (stale !== undefined) report(stale)
      }
      const variant = assignment?.variant
      if (variant === null || variant === undefined) return undefined
      if (Object.hasOwn(handlers, variant)) return handlers[variant]
      const own = Object.hasOwn(config.experiments, assignment!.experiment) ? config.experiments[assignment!.experiment]! : undefined
      const isControl = own !== undefined && (own.control ?? own.variants[0]?.name) === variant
      return isControl && Object.hasOwn(handlers, CONTROL_ROLE) ? handlers[CONTROL_ROLE] : undefined
    },
  }
}
