// What every runtime must show, measured against Node's results for the same keys.
import { execFile } from 'node:child_process'
import { expect } from 'vitest'
import { runChecks, type CheckResults } from '../src/checks.js'
import type { Upstream } from './upstream.js'

export const UPSTREAM_KEY = 'k-runtimes'

/** Node's results: the reference every other runtime must equal. */
export async function nodeResults(upstream: Upstream): Promise<CheckResults> {
  const results = await runChecks({ upstream: upstream.url, env: { UPSTREAM_KEY } })
  // the reference itself says what the docs promise
  expect(results.core.targeted).toBe('beta')
  expect(results.judge.verdict).toBe('Fail') // one canary request in eight fails
  expect(new Set(Object.keys(results.core.counts))).toEqual(new Set(['stable', 'canary', 'beta']))
  expect(results.server).toMatchObject({ anonymousCookie: true, overridden: 'checkout=beta', requests: 3 }) // an overridden request is not counted in its variant's requests
  expect(results.server.forged).toBe(results.server.known) // a forged token is ignored
  expect(results.splitFetch.calls.map((call) => [call.variant, call.model, call.auth])).toEqual([
    ['small', 'gpt-4o-mini', null],
    ['large', 'gpt-4o', `Bearer ${UPSTREAM_KEY}`],
  ])
  expect(results.splitFetch.shadow).toMatchObject({ sent: 2, failed: 0, timedOut: 0, dropped: 0 })
  expect(results.urlSource.revision).toBe(9)
  return results
}

/**
 * Same assignments, explanations, tokens, metrics and config source as Node. Where `${UPSTREAM_KEY}` cannot be
 * read (Deno without --allow-env, a browser), the env-dependent call goes to control with UPSTREAM_ENV_MISSING.
 */
export function expectLikeNode(results: CheckResults, node: CheckResults, env: 'filled' | 'missing', { browser = false } = {}): void {
  expect(results.core).toEqual(node.core)
  expect(results.judge).toEqual(node.judge)
  // A browser drops Set-Cookie from any Response a script builds (a forbidden response header): no sticky cookie there.
  expect(results.server).toEqual(browser ? { ...node.server, anonymousCookie: false } : node.server)
  expect(results.urlSource).toEqual(node.urlSource)
  if (env === 'filled') return void expect(results.splitFetch).toEqual(node.splitFetch)
  expect(results.splitFetch.errors).toEqual(['SPLITLANE_ERR_UPSTREAM_ENV_MISSING'])
  expect(results.splitFetch.calls.map((call) => [call.variant, call.model, call.auth])).toEqual([
    ['small', 'gpt-4o-mini', null],
    ['small', 'gpt-4o-mini', null],
  ])
  expect(results.splitFetch.shadow).toEqual(node.splitFetch.shadow)
}

/** Runs a runtime's binary and returns its stdout (stderr goes into the error when it fails). */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`)) : resolve(stdout),
    )
  })
}
