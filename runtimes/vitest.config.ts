import { defineConfig } from 'vitest/config'

// `pnpm test:runtimes`: the same checks on Node, Bun, Deno, workerd and headless Chromium (one file each).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['test/*.test.ts'],
    globalSetup: ['test/bundle.ts'],
    reporters: ['verbose'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
