// Bundles each runtime's entry from the BUILT packages (their dist, through package exports), as a user's app
// bundler would, into runtimes/node_modules/.cache/bundles/. Runs once before the suite (vitest globalSetup).
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const OUT = fileURLToPath(new URL('../node_modules/.cache/bundles/', import.meta.url))
export const bundlePath = (entry: 'cli' | 'worker' | 'browser') => `${OUT}${entry}.js`

export default async function bundle(): Promise<void> {
  await mkdir(OUT, { recursive: true })
  await build({
    entryPoints: ['cli', 'worker', 'browser'].map((entry) => fileURLToPath(new URL(`../src/${entry}.ts`, import.meta.url))),
    outdir: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  })
}
