import { defineConfig } from 'tsup'

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/adapter.ts',
    'src/otel.ts',
    'src/regex.ts',
    'src/json-schema.ts',
    'src/analysis.ts',
    'src/rollout.ts',
    'src/bandit.ts',
  ],
  // CJS entries share chunks too, so `require('@splitlane/core/regex')` installs the engine into the
  // same module the other entries read it from (one copy of core per format).
  splitting: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  // Keep `node:fs` etc. as written: bare `fs` breaks `--platform=neutral` bundlers and Deno.
  removeNodeProtocol: false,
})
