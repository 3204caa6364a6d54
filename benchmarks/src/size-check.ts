// `pnpm size` (a step of `pnpm test`): bundles each row of size.ts and fails when one outgrows its
// budget or esbuild warns while bundling it. Run `pnpm build` first: the rows bundle the built packages.
import { kb, measureSizes } from './size.js'

const results = await measureSizes()
for (const { row, minified, gzipped } of results) {
  const limit = row.budget === undefined ? '' : ` (budget ${kb(row.budget)}${row.target === undefined ? '' : `, target ${kb(row.target)}`})`
  console.log(
    `${gzipped > (row.budget ?? Infinity) ? '✗' : '✓'} ${kb(gzipped).padStart(9)} gzipped, ${kb(minified).padStart(9)} minified  ${row.name}${limit}`,
  )
}
// An app bundling splitlane would see these warnings too (e.g. a chunk imported for nothing under `sideEffects: false`).
const warned = results.filter(({ row, warnings }) => row.budget !== undefined && warnings.length > 0)
for (const { row, warnings } of warned) console.error(`\nesbuild warned while bundling ${row.name}:\n  ${warnings.join('\n  ')}`)
if (warned.length > 0) process.exitCode = 1
const over = results.filter(({ row, gzipped }) => row.budget !== undefined && gzipped > row.budget)
if (over.length > 0) {
  console.error(
    `\n${over.length} bundle(s) over budget: ${over.map(({ row, gzipped }) => `${row.name} is ${kb(gzipped)}, budget ${kb(row.budget!)}`).join('; ')}.` +
      '\nFind what grew with esbuild --metafile (docs/benchmarks.md, "Bundle size"); raise a budget only with a reason in the same commit.',
  )
  process.exitCode = 1
}
