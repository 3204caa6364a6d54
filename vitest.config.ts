import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts'],
    // One line per test as it finishes (also off a terminal, as in CI), so a slow file is never minutes of silence.
    reporters: ['verbose'],
    setupFiles: ['packages/core/test/setup.ts'],
    // Vitest's default on 2 cores is 1 worker (cores - 1), which leaves a core idle for most of the run.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
