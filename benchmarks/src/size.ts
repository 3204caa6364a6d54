// `pnpm size` (a step of `pnpm test`): what splitlane adds to a browser or edge bundle, next to its
// peers, and a failure when a bundle outgrows its budget. Each row bundles one entry file that
// imports exactly the named exports, as an app would, from the built packages (`pnpm build` first):
// esbuild (the version pinned in package.json), minified, ESM, browser platform, then gzip -9.
// `--markdown` prints the table for docs/benchmarks.md.
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

interface Row {
  name: string
  /** The entry file's text: imports resolve from benchmarks/, as an app's would. */
  entry: string
  /** Bytes gzipped this bundle may not exceed (what this code reaches today); none for peers. */
  budget?: number
  /** The issue's target, where the budget is not there yet (docs/benchmarks.md says what remains). */
  target?: number
}

const KB = 1024
const ROWS: Row[] = [
  {
    name: '`createSplitter` (`assign`, `variantOf`, `explain`, config validation)',
    entry: `import { createSplitter } from '@splitlane/core'; export { createSplitter }`,
    budget: 52 * KB,
    target: 12 * KB,
  },
  {
    name: '`murmur3` alone (proves unused code drops out)',
    entry: `export { murmur3 } from '@splitlane/core'`,
    budget: 2 * KB,
  },
  { name: 'core main entry, every export', entry: `export * from '@splitlane/core'`, budget: 67 * KB, target: 25 * KB },
  {
    name: '`withSplitlane` (@splitlane/fetch) + core',
    entry: `export { withSplitlane } from '@splitlane/fetch'`,
    budget: 47 * KB,
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

async function measure(row: Row): Promise<{ minified: number; gzipped: number }> {
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
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length }
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`

const results = []
for (const row of ROWS) results.push({ row, ...(await measure(row)) })

const over = results.filter(({ row, gzipped }) => row.budget !== undefined && gzipped > row.budget)
if (process.argv.includes('--markdown')) {
  console.log('| bundle | minified | gzip -9 | budget (CI fails above) | target |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const { row, minified, gzipped } of results)
    console.log(
      `| ${row.name} | ${kb(minified)} | ${kb(gzipped)} | ${row.budget === undefined ? '—' : kb(row.budget)} | ${row.target === undefined ? '—' : kb(row.target)} |`,
    )
} else
  for (const { row, minified, gzipped } of results) {
    const limit =
      row.budget === undefined ? '' : ` (budget ${kb(row.budget)}${row.target === undefined ? '' : `, target ${kb(row.target)}`})`
    console.log(
      `${gzipped > (row.budget ?? Infinity) ? '✗' : '✓'} ${kb(gzipped).padStart(9)} gzipped, ${kb(minified).padStart(9)} minified  ${row.name}${limit}`,
    )
  }
if (over.length > 0) {
  console.error(
    `\n${over.length} bundle(s) over budget: ${over.map(({ row, gzipped }) => `${row.name} is ${kb(gzipped)}, budget ${kb(row.budget!)}`).join('; ')}.` +
      '\nFind what grew with esbuild --metafile (docs/benchmarks.md, "Bundle size"); raise a budget only with a reason in the same commit.',
  )
  process.exitCode = 1
}
