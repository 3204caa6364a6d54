// Shared by the provider's tests: a real config server on 127.0.0.1 and the config they use.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SplitlaneConfig } from '@splitlane/core'

/** Serves `document` (mutable) as JSON; `status` other than 200 answers that status; `hang` never answers. */
export async function startConfigServer(initial: unknown) {
  const state = { document: initial, status: 200, hang: false, requests: 0 }
  const hanging: ServerResponse[] = []
  const server = createServer((_req, res) => {
    state.requests++
    if (state.hang) return void hanging.push(res)
    res.writeHead(state.status, { 'content-type': 'application/json' })
    res.end(typeof state.document === 'string' ? state.document : JSON.stringify(state.document))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/splitlane.json`,
    state,
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** One experiment of each kind the provider maps: value types, split, rule, kill switch, exposure, no values. */
export function flagsConfig(revision: number): SplitlaneConfig {
  return {
    version: 1,
    revision,
    experiments: {
      'new-checkout': {
        variants: [
          { name: 'on', value: true },
          { name: 'off', value: false, weight: 0 },
        ],
      },
      banner: {
        variants: [
          { name: 'short', value: 'Hi' },
          { name: 'long', value: 'Hello there' },
        ],
        rules: [{ id: 'beta-long', when: { attribute: 'plan', op: 'in', values: ['beta'] }, variant: 'long' }],
      },
      'page-size': {
        variants: [
          { name: 'small', value: 10 },
          { name: 'large', value: 50 },
        ],
      },
      layout: {
        variants: [
          { name: 'grid', value: { columns: 3, dense: false } },
          { name: 'list', value: { columns: 1, dense: true } },
        ],
      },
      'old-search': {
        enabled: false,
        control: 'legacy',
        variants: [
          { name: 'legacy', value: 'v1' },
          { name: 'new', value: 'v2' },
        ],
      },
      'slow-rollout': {
        exposure: 0,
        variants: [
          { name: 'stable', value: 'stable' },
          { name: 'canary', value: 'canary' },
        ],
      },
      checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] },
    },
  }
}

/** Settles with the promise, or rejects after `ms` so a hang fails the test fast. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)),
  ])
}
