// Proxy mode: a request goes to its variant's upstream (its `value`: a URL or an object like
// { url, headers }), or control's when the variant names no URL. Resolved once per config revision.
import { describeValue } from '../describe.js'
import { ErrorCode, SplitlaneError } from '../errors.js'
import { own } from '../own.js'
import { createRouter, type Router, type UpstreamEnv } from '../routing/router.js'
import type { Assignment, Splitter } from '../types.js'
import type { UpstreamResult } from './types.js'

/** The assignment of `experiment` (an own entry), or of the only experiment when none is named. Never throws on a bad name. */
export function pickAssignment(assignments: Readonly<Record<string, Assignment>>, experiment?: string): Assignment | undefined {
  if (experiment !== undefined) return typeof experiment === 'string' ? own(assignments, experiment) : undefined
  const all = Object.values(assignments)
  return all.length === 1 ? all[0] : undefined
}

const NO_ENV: UpstreamEnv = /* @__PURE__ */ Object.freeze({})
// splitter -> env -> experiment -> router; each router re-reads the splitter's config only when it changed
const routers = new WeakMap<object, WeakMap<object, Map<string, Router>>>()

function routerOf(splitter: Splitter, experiment: string, env: UpstreamEnv): Router {
  let byEnv = routers.get(splitter)
  if (byEnv === undefined) routers.set(splitter, (byEnv = new WeakMap<object, Map<string, Router>>()))
  let byExperiment = byEnv.get(env)
  if (byExperiment === undefined) byEnv.set(env, (byExperiment = new Map<string, Router>()))
  let router = byExperiment.get(experiment)
  if (router === undefined) byExperiment.set(experiment, (router = createRouter({ splitter, experiment, env })))
  return router
}

/**
 * Where to send the request: the variant's upstream (URL, path prefix included, and headers with
 * `${NAME}` taken from `env`), else control's, else an error saying what to fix. Never throws.
 */
export function upstreamOf(
  splitter: Splitter,
  assignments: Readonly<Record<string, Assignment>>,
  experiment?: string,
  env: UpstreamEnv = NO_ENV,
): UpstreamResult {
  const assignment = pickAssignment(assignments, experiment)
  if (assignment === undefined)
    return {
      ok: false,
      error: new SplitlaneError(
        ErrorCode.UpstreamInvalid,
        experiment === undefined
          ? `proxy: name the experiment, this route assigns ${Object.keys(assignments).length} experiments`
          : `proxy: experiment ${describeValue(experiment)} is not assigned on this route`,
        { experiment: typeof experiment === 'string' ? experiment : describeValue(experiment) },
      ),
    }
  const router = routerOf(splitter, assignment.experiment, env)
  const target = router.proxy(assignment.variant)
  if (target instanceof SplitlaneError) return { ok: false, error: target, assignment, routes: router.proxyRoutes }
  return { ok: true, url: target.url, headers: target.headers, assignment, routes: router.proxyRoutes }
}
