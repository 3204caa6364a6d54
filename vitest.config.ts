import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'docs/**/*.test.ts'],
    setupFiles: ['packages/core/test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
