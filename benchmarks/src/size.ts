// What splitlane adds to a browser or edge bundle, next to its peers, with the budget each bundle
// may not outgrow. Each row bundles one entry file that imports exactly the named exports, as an app
// would, from the built packages (`pnpm build` first): esbuild (the version pinned in package.json),
// minified, ESM, browser platform, then gzip -9. `pnpm size` checks the budgets (size-check.ts);
// `pnpm bench` puts the table in docs/benchmarks.md.
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

export interface SizeRow {
  name: string
  /** The entry file's text: imports resolve from benchmarks/, as an app's would. */
  entry: string
  /** Bytes gzipped this bundle may not exceed (what this code reaches today); none for peers. */
  budget?: number
  /** The target, where the budget is not there yet (docs/benchmarks.md says what remains). */
  target?: number
}

export const KB = 1024
export const SIZE_ROWS: SizeRow[] = [
  {
    name: '`createSplitter` (`assign`, `variantOf`, `explain`, config validation)',
    entry: `import { createSplitter } from '@splitlane/core'; export { createSplitter }`,
    // ~1 KB of it: config/plain-experiment.ts, which reads the common experiment without zod (a 10,000-experiment
    // compile 3x faster); give it back when the schema's share shrinks.
    budget: 31 * KB,
    target: 12 * KB,
  },
  {
    name: '`murmur3` alone (proves unused code drops out)',
    entry: `export { murmur3 } from '@splitlane/core'`,
    budget: 1.5 * KB,
  },
  { name: 'core main entry, every export', entry: `export * from '@splitlane/core'`, budget: 34 * KB, target: 25 * KB },
  {
    name: '`withSplitlane` (@splitlane/fetch) + `createSplitter`',
    entry: `export { withSplitlane } from '@splitlane/fetch'; export { createSplitter } from '@splitlane/core'`,
    budget: 39.5 * KB,
    target: 30 * KB,
  },
  {
    name: '`@splitlane/core/regex` (RE2 engine, opt-in)',
    entry: `import '@splitlane/core/regex'`,
    budget: 46 * KB,
  },
  { name: 'peer: GrowthBook (@growthbook/growthbook), whole SDK', entry: `export * from '@growthbook/growthbook'` },
  { name: 'peer: flagd-core (@openfeature/flagd-core), whole package', entry: `export * from '@openfeature/flagd-core'` },
]

const resolveDir = fileURLToPath(new URL('..', import.meta.url))

export interface SizeResult {
  row: SizeRow
  minified: number
  gzipped: number
  /** What esbuild warned about while bundling: an app's own build would show the same. */
  warnings: string[]
}

async function measure(row: SizeRow): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: row.entry, resolveDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  })
  const code = result.outputFiles[0]!.contents
  return {
    row,
    minified: code.length,
    gzipped: gzipSync(code, { level: 9 }).length,
    warnings: result.warnings.map((warning) => `${warning.id}: ${warning.text}`),
  }
}

/** Every row, one after the other. */
export async function measureSizes(): Promise<SizeResult[]> {
  const results = []
  for (const row of SIZE_ROWS) results.push(await measure(row))
  return results
}

export const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`

/** The docs/benchmarks.md section. */
export function renderSizeSection(results: readonly SizeResult[]): string {
  const cell = (bytes: number | undefined) => (bytes === undefined ? '—' : kb(bytes))
  return [
    '## Bundle size',
    '',
    'What an app bundling splitlane for a browser or an edge runtime ships, next to its peers: each row bundles one entry file importing exactly those exports from the built packages, with esbuild (minified, ESM, browser platform), then gzip -9 (`benchmarks/src/size.ts`). `pnpm size`, a step of `pnpm test`, fails when a bundle outgrows its budget or when esbuild warns while bundling one (an app’s build would show the warning too); the target is where the budget is headed.',
    '',
    '| bundle | minified | gzip -9 | budget (CI fails above) | target |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map(
      ({ row, minified, gzipped }) => `| ${row.name} | ${kb(minified)} | ${kb(gzipped)} | ${cell(row.budget)} | ${cell(row.target)} |`,
    ),
    '',
  ].join('\n')
}
