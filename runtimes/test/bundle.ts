// Bundles each runtime's entry from the BUILT packages (their dist, through package exports), as a user's app
// bundler would, into runtimes/node_modules/.cache/bundles/. Runs once before the suite (vitest globalSetup).
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const OUT = fileURLToPath(new URL('../node_modules/.cache/bundles/', import.meta.url))
export const bundlePath = (entry: 'cli' | 'worker' | 'browser') => `${OUT}${entry}.js`

export default async function bundle(): Promise<void> {
  await mkdir(OUT, { recursive: true })
  const entry = (name: string) => fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url))
  const common = { outdir: OUT, bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning' } as const
  // Bun and Deno resolve packages as Node does (and have node:fs for the file source); workerd and pages as browsers
  await build({ ...common, entryPoints: [entry('cli')], platform: 'node' })
  await build({ ...common, entryPoints: [entry('worker'), entry('browser')], platform: 'browser' })
}
