import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    removeNodeProtocol: false, // keep `node:fs` as written (bare `fs` breaks Deno and neutral-platform bundlers)
    treeshake: true,
  },
  {
    entry: ['src/bin.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    removeNodeProtocol: false, // keep `node:fs` as written (bare `fs` breaks Deno and neutral-platform bundlers)
    banner: { js: '#!/usr/bin/env node' },
  },
])
