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
  // rollup's pass: no module of core has side effects on import but `regex`, an entry (kept whole), so a chunk
  // imported for nothing is dropped instead of left as `import './chunk.js'` for bundlers to warn about.
  treeshake: { moduleSideEffects: false },
  // Keep `node:fs` etc. as written: bare `fs` breaks `--platform=neutral` bundlers and Deno.
  removeNodeProtocol: false,
})
