// An adapter mounted twice (an app and a router, a plugin registered again) splits a request once per experiment list.

/** The experiment lists (scopes) a request was split for: one string for the usual single pass, a set past it. */
export type SplitScopes = string | Set<string>

/** `seen` with `scope` added, or undefined when the request was already split for `scope`. One string allocates nothing. */
export function addScope(seen: SplitScopes | null | undefined, scope: string): SplitScopes | undefined {
  if (seen === undefined || seen === null) return scope
  if (typeof seen === 'string') return seen === scope ? undefined : new Set([seen, scope])
  return seen.has(scope) ? undefined : seen.add(scope)
}
