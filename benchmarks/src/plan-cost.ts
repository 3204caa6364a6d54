// What a config revision costs to compile, and how `assignAll` grows with experiments and rules.
// Run: pnpm --filter @splitlane/benchmarks bench:plan (pin it: taskset -c 1 ...).
// Set SPLITLANE_BASELINE=/path/to/an/older/core/dist/index.js to time that build in the same run,
// interleaved round by round with the current one, for a before/after comparison.
import { pathToFileURL } from 'node:url'
import * as current from '@splitlane/core'
import type { SplitlaneConfig } from '@splitlane/core'
import { median } from './harness.js'
import { KEY_MASK, mixedKeys } from './keys.js'

type Core = Pick<typeof current, 'createSplitter'>

interface Build {
  label: string
  core: Core
}

const ROUNDS = Number(process.env['PLAN_ROUNDS'] ?? 11)
const VARIANTS = [
  { name: 'v1', weight: 80 },
  { name: 'v2', weight: 10 },
  { name: 'v3', weight: 10 },
]

/** `rules` rules per experiment, none of which the bench's context matches, so every one is evaluated. */
export function planConfig(experiments: number, rules: number): SplitlaneConfig {
  const entries = Array.from({ length: experiments }, (_, index) => [
    `experiment-${index}`,
    {
      variants: VARIANTS,
      rules: Array.from({ length: rules }, (_, rule) =>
        rule % 2 === 0
          ? { id: `r${rule}`, when: { attribute: 'plan', op: 'in' as const, values: [`plan-${rule}`, `tier-${rule}`] }, variant: 'v2' }
          : { id: `r${rule}`, when: { attribute: 'country', op: 'startsWith' as const, values: [`C${rule}`] }, exposure: 50 },
      ),
    },
  ])
  return { version: 1, revision: `r-${experiments}-${rules}`, experiments: Object.fromEntries(entries) }
}

let sink = 0

function time(run: () => number): number {
  const start = process.hrtime.bigint()
  sink ^= run()
  return Number(process.hrtime.bigint() - start)
}

interface Row {
  name: string
  /** ns per op for each build, and for the floor (same for every build). */
  cells: Map<string, number[]>
}

/** Runs every (row, build) pair once per round, in a rotating order, and collects ns per op. */
function interleave(rows: readonly { name: string; runs: Map<string, () => number>; ops: number }[]): Row[] {
  const result = rows.map((row) => ({ name: row.name, cells: new Map([...row.runs.keys()].map((label) => [label, [] as number[]])) }))
  for (const row of rows) for (const run of row.runs.values()) for (let i = 0; i < 2; i++) time(run) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    rows.forEach((row, index) => {
      const labels = [...row.runs.keys()]
      for (let i = 0; i < labels.length; i++) {
        const label = labels[(i + round) % labels.length]!
        result[index]!.cells.get(label)!.push(time(row.runs.get(label)!) / row.ops)
      }
    })
    console.error(`[plan] round ${round + 1}/${ROUNDS}`)
  }
  return result
}

function format(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`
  return `${ns.toFixed(0)} ns`
}

function table(title: string, rows: readonly Row[], extra?: (row: Row, label: string, ns: number) => string): string {
  const labels = [...new Set(rows.flatMap((row) => [...row.cells.keys()]))]
  const head = `| ${title} | ${labels.map((label) => `${label} (median)`).join(' | ')} |`
  const rule = `| --- | ${labels.map(() => '---:').join(' | ')} |`
  const lines = rows.map((row) => {
    const cells = labels.map((label) => {
      const samples = row.cells.get(label)
      if (samples === undefined) return '—'
      const ns = median(samples)
      return `${format(ns)}${extra === undefined ? '' : extra(row, label, ns)}`
    })
    return `| ${row.name} | ${cells.join(' | ')} |`
  })
  return [head, rule, ...lines].join('\n')
}

function compileRows(builds: readonly Build[]) {
  return [1_000, 10_000].flatMap((experiments) => {
    const config = planConfig(experiments, 0)
    const next = { ...config, revision: 'next' }
    const create = new Map<string, () => number>(
      builds.map(({ label, core }) => [label, () => core.createSplitter({ config }).revision!.toString().length]),
    )
    // The floor: copying the config once, the least any compile does (it reads every value).
    create.set('floor: structuredClone(config)', () => Object.keys(structuredClone(config).experiments).length)
    const update = new Map<string, () => number>(
      builds.map(({ label, core }) => {
        const splitter = core.createSplitter({ config })
        let flip = false
        return [label, () => ((flip = !flip), splitter.update(flip ? next : config).ok ? 1 : 0)]
      }),
    )
    return [
      { name: `\`createSplitter\`, ${experiments.toLocaleString('en-US')} experiments`, runs: create, ops: 1 },
      { name: `\`update\`, ${experiments.toLocaleString('en-US')} experiments`, runs: update, ops: 1 },
    ]
  })
}

const GROWTH: readonly [experiments: number, rules: number][] = [
  [100, 0],
  [1_000, 0],
  [10_000, 0],
  [100, 10],
  [100, 50],
  [100, 100],
  [1_000, 100],
]

const RESULT_FLOOR = 'floor: the result record alone'
/** An object of an assignment's shape (13 fields), as `assignAll` returns one per experiment. */
const resultLike = (experiment: string, call: number) => ({
  experiment,
  variant: 'v1',
  value: null,
  reason: 'split',
  ruleId: undefined,
  source: undefined,
  inExperiment: true,
  key: 'user',
  keyFrom: 'key',
  hash: call,
  bucket: call / 4294967296,
  revision: 'r',
  errorCode: undefined,
})

function growthRows(builds: readonly Build[]) {
  return GROWTH.map(([experiments, rules]) => {
    const config = planConfig(experiments, rules)
    const attributes = { plan: 'free', country: 'DE' }
    const runs = new Map<string, () => number>()
    // How many calls make a sample of about 20 ms at ~100 ns per experiment and rule.
    const calls = Math.max(1, Math.round(200_000 / (experiments * (rules + 1))))
    for (const { label, core } of builds) {
      const splitter = core.createSplitter({ config })
      let at = 0
      runs.set(label, () => {
        let folded = 0
        for (let call = 0; call < calls; call++) {
          const record = splitter.assignAll({ key: mixedKeys[at]!, attributes })
          folded = (folded + record['experiment-0']!.variant!.charCodeAt(1)) | 0
          at = (at + 1) & KEY_MASK
        }
        return folded
      })
    }
    // The floor at 0 rules: the returned record alone, one assignment-shaped object per experiment from precomputed
    // values, nothing hashed or chosen. Its growth per experiment is what memory, not splitlane, adds at this size.
    if (rules === 0) {
      const names = Object.keys(config.experiments)
      runs.set(RESULT_FLOOR, () => {
        let folded = 0
        for (let call = 0; call < calls; call++) {
          const record = Object.create(null) as Record<string, { variant: string }>
          for (const name of names) record[name] = resultLike(name, call)
          folded = (folded + record['experiment-0']!.variant.charCodeAt(1)) | 0
        }
        return folded
      })
    }
    return { name: `${experiments.toLocaleString('en-US')} × ${rules}`, runs, ops: calls, experiments, rules }
  })
}

const METHOD = `Each row is timed once per round for ${ROUNDS} rounds after two untimed runs, every build in turn within a round (the order rotating), and the table shows the median. Compile rows time one \`createSplitter\` or one \`update\` (alternating between two revisions) over experiments split 80/10/10; the floor is one \`structuredClone\` of the same config, the least any compile does. Growth rows time \`assignAll\` with a context that matches no rule, so every rule of every experiment is evaluated (half \`in\` over two values, half \`startsWith\`); linear growth keeps the last figure, ns per experiment·(rules + 1), flat. At 0 rules a floor builds the returned record alone (one assignment-shaped object per experiment in a null-prototype record, nothing hashed): where it grows per experiment too, the step is the memory hierarchy's (the result and the compiled experiments leaving the caches), and splitlane's figure is read against it.`

/** The compile and growth tables as markdown, timing `builds` (default: the current core alone). */
export function measurePlan(builds: readonly Build[] = [{ label: 'splitlane', core: current }]): string {
  const compile = interleave(compileRows(builds))
  const growthInput = growthRows(builds)
  const growth = interleave(growthInput)
  const perUnit = (row: Row, _label: string, ns: number) => {
    const input = growthInput.find((entry) => entry.name === row.name)!
    return ` (${(ns / (input.experiments * (input.rules + 1))).toFixed(1)} ns per experiment·(rules + 1))`
  }
  return [
    '## Compiling a config, and `assignAll` growth',
    '',
    METHOD,
    '',
    table('case', compile),
    '',
    table('experiments × rules (per call)', growth, perUnit),
    '',
  ].join('\n')
}

async function main(): Promise<void> {
  const builds: Build[] = []
  const baseline = process.env['SPLITLANE_BASELINE']
  if (baseline !== undefined) builds.push({ label: 'before', core: (await import(pathToFileURL(baseline).href)) as Core })
  builds.push({ label: baseline === undefined ? 'splitlane' : 'after', core: current })
  console.log(measurePlan(builds))
  console.error(`[plan] sink ${sink}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
