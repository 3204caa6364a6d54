// Shared by the sources' tests.
import type { SplitlaneConfig } from '@splitlane/core'

/** A two-variant config whose canary gets `canaryWeight` percent. */
export function config(revision: string, canaryWeight: number): SplitlaneConfig {
  return {
    version: 1,
    revision,
    experiments: {
      checkout: {
        variants: [
          { name: 'control', weight: 100 - canaryWeight },
          { name: 'canary', weight: canaryWeight },
        ],
      },
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

/** Unhandled rejections seen until `stop()`: a source must never produce one (Node exits with code 1 on them). */
export function unhandledRejections() {
  const seen: unknown[] = []
  const listener = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', listener)
  return { seen, stop: () => process.off('unhandledRejection', listener) }
}
