import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts'],
    // One line per test as it finishes (also off a terminal, as in CI), so a slow file is never minutes of silence.
    reporters: ['verbose'],
    setupFiles: ['packages/core/test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
