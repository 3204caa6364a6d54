import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  // Keep `node:fs` etc. as written: bare `fs` breaks `--platform=neutral` bundlers and Deno.
  removeNodeProtocol: false,
})
