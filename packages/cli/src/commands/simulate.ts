import { createSplitter, safeParseConfig, type ParsedConfig, type SplitlaneConfig, type Splitter } from '@splitlane/core'
import { sampleRatioMismatch, SRM_MIN_EXPECTED } from '@splitlane/core/analysis'
import type { Command } from 'commander'
import { CliError, EXIT, type CliIo } from '../io.js'
import { FLAG_SYSTEMS, isFlagSystem, readFlagFile } from '../flags/index.js'
import { loadConfig } from '../load.js'
import { examples, json, painter, percent, pValue, table } from '../output.js'

export const DEFAULT_USERS = 10_000
export const MAX_USERS = 10_000_000

/** The synthetic unit keys: `sim-<seed>-<i>` for i = 0..users-1. */
export const unitKey = (seed: string, index: number) => `sim-${seed}-${index}`

interface VariantShare {
  name: string
  weight: number
  /** weight / sum of weights. */
  expectedShare: number
  /** Units split into this variant (reason `split` or `static`). */
  count: number
  share: number
}

interface ExperimentShares {
  units: number
  /** Units assigned by the weights; the sample-ratio test runs over these. */
  split: number
  variants: VariantShare[]
  /** Units not split by the weights, by reason (`not_exposed`, `holdout`, `rule`, `disabled`, ...). */
  notSplit: Record<string, number>
  srm: { chiSquare: number; degreesOfFreedom: number; pValue: number; mismatch: boolean } | null
}

interface Movement {
  /** Units whose variant differs between the two configs. */
  moved: number
  movedShare: number
  /** from -> to -> units, every pair (including staying). */
  matrix: Record<string, Record<string, number>>
  /** Only the pairs that move, largest first. */
  moves: { from: string; to: string; count: number; share: number }[]
}

const positiveInteger = (name: string, max: number) => (text: string) => {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > max) throw new CliError(`${name} expects an integer 1..${max}, got "${text}"`)
  return value
}

const variantNames = (config: ParsedConfig, experiment: string) => config.experiments[experiment]!.variants.map((variant) => variant.name)

type Loaded = { input: unknown; config: ParsedConfig }

/** Per experiment of the first config: units per variant split by the weights, and the rest by reason. */
interface Tally {
  counts: Map<string, number>
  notSplit: Record<string, number>
}

/**
 * One pass over the synthetic units: each is assigned under the first config (and under the second, with
 * `--against`), and only counts are kept, so memory does not grow with `--users`.
 */
function simulateUnits(base: Loaded, other: Loaded | undefined, users: number, seed: string, onProgress: (done: number) => void) {
  const splitterOf = (loaded: Loaded): Splitter => createSplitter({ config: loaded.input as SplitlaneConfig, random: Math.random })
  const first = splitterOf(base)
  const second = other === undefined ? undefined : splitterOf(other)
  // Attributes that `bucketBy` reads carry the unit key too, so experiments keyed by an attribute are simulated as well.
  const configs = other === undefined ? [base.config] : [base.config, other.config]
  const attributeNames = [
    ...new Set(configs.flatMap((config) => Object.values(config.experiments).flatMap((experiment) => experiment.bucketBy))),
  ]
  const experiments = Object.keys(base.config.experiments)
  const tallies = new Map<string, Tally>(
    experiments.map((name) => [
      name,
      { counts: new Map(base.config.experiments[name]!.variants.map((variant) => [variant.name, 0])), notSplit: {} },
    ]),
  )
  const common = other === undefined ? [] : experiments.filter((name) => Object.hasOwn(other.config.experiments, name))
  const matrices = new Map<string, Record<string, Record<string, number>>>(
    common.map((name) => [
      name,
      Object.fromEntries(
        variantNames(base.config, name).map((from) => [from, Object.fromEntries(variantNames(other!.config, name).map((to) => [to, 0]))]),
      ),
    ]),
  )
  for (let index = 0; index < users; index++) {
    const key = unitKey(seed, index)
    // null prototype: bucketBy may name any attribute, `__proto__` included
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>
    for (const name of attributeNames) attributes[name] = key
    const before = first.assignAll({ key, attributes })
    for (const name of experiments) {
      const { variant, reason } = before[name]!
      const tally = tallies.get(name)!
      if (reason === 'split' || reason === 'static') tally.counts.set(variant!, tally.counts.get(variant!)! + 1)
      else tally.notSplit[reason] = (tally.notSplit[reason] ?? 0) + 1
    }
    if (second !== undefined) {
      const after = second.assignAll({ key, attributes })
      for (const name of common) {
        const row = matrices.get(name)![before[name]!.variant!]!
        const to = after[name]!.variant!
        row[to] = (row[to] ?? 0) + 1
      }
    }
    if ((index + 1) % 20_000 === 0) onProgress(index + 1)
  }
  return { tallies, matrices }
}

function shares(config: ParsedConfig, tallies: Map<string, Tally>, units: number): Record<string, ExperimentShares> {
  const out: Record<string, ExperimentShares> = {}
  for (const [name, experiment] of Object.entries(config.experiments)) {
    const { counts, notSplit } = tallies.get(name)!
    const split = [...counts.values()].reduce((sum, count) => sum + count, 0)
    const totalWeight = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0)
    const weights = experiment.variants.map((variant) => variant.weight)
    const observed = experiment.variants.map((variant) => counts.get(variant.name)!)
    // Core decides whether there are enough units for the test (SRM_MIN_EXPECTED per weighted arm).
    const result = totalWeight > 0 ? sampleRatioMismatch(observed, weights) : null
    const test = result?.enoughData === true ? result : null
    out[name] = {
      units,
      split,
      variants: experiment.variants.map((variant) => ({
        name: variant.name,
        weight: variant.weight,
        expectedShare: totalWeight > 0 ? variant.weight / totalWeight : 0,
        count: counts.get(variant.name)!,
        share: split > 0 ? counts.get(variant.name)! / split : 0,
      })),
      notSplit,
      srm:
        test === null
          ? null
          : { chiSquare: test.chiSquare, degreesOfFreedom: test.degreesOfFreedom, pValue: test.pValue, mismatch: test.mismatch },
    }
  }
  return out
}

function movement(matrix: Record<string, Record<string, number>>, units: number): Movement {
  const pairs = Object.entries(matrix).flatMap(([from, row]) =>
    Object.entries(row).map(([to, count]) => ({ from, to, count, share: count / units })),
  )
  const moves = pairs
    .filter((move) => move.from !== move.to && move.count > 0)
    .sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
  const moved = moves.reduce((sum, move) => sum + move.count, 0)
  return { moved, movedShare: units > 0 ? moved / units : 0, matrix, moves }
}

function sharesText(name: string, result: ExperimentShares, io: CliIo): string {
  const paint = painter(io.isTTY)
  const rows = result.variants.map((variant) => [
    variant.name,
    variant.weight,
    percent(variant.expectedShare),
    variant.count,
    percent(variant.share),
    `${variant.share >= variant.expectedShare ? '+' : ''}${((variant.share - variant.expectedShare) * 100).toFixed(2)}`,
  ])
  const notSplit = Object.entries(result.notSplit).map(([reason, count]) => `${count} ${reason}`)
  const srm =
    result.srm === null
      ? `sample ratio: not tested (fewer than ${SRM_MIN_EXPECTED} units expected in an arm; raise --users)`
      : `sample ratio: chi-square ${result.srm.chiSquare.toFixed(2)}, df ${result.srm.degreesOfFreedom}, p = ${pValue(result.srm.pValue)} ` +
        (result.srm.mismatch ? paint.red('MISMATCH (p < 0.001)') : paint.green('ok'))
  return (
    `${paint.bold(name)}: ${result.split} of ${result.units} units split${notSplit.length > 0 ? ` (not split: ${notSplit.join(', ')})` : ''}\n` +
    table(['variant', 'weight', 'configured', 'units', 'observed', 'diff (pts)'], rows) +
    srm +
    '\n'
  )
}

function movementText(name: string, result: Movement, units: number, io: CliIo): string {
  const paint = painter(io.isTTY)
  const from = Object.keys(result.matrix)
  const to = [...new Set(Object.values(result.matrix).flatMap((row) => Object.keys(row)))]
  const header = ['from \\ to', ...to]
  const rows = from.map((source) => [source, ...to.map((target) => result.matrix[source]![target] ?? 0)])
  const moves = result.moves.map((move) => `  ${move.from} -> ${move.to}: ${move.count} (${percent(move.share)})`)
  return (
    `${paint.bold(name)}: ${result.moved} of ${units} units (${percent(result.movedShare)}) change variant\n` +
    table(header, rows) +
    (moves.length > 0 ? moves.join('\n') + '\n' : '')
  )
}

export function registerSimulate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('simulate')
    .summary('observed vs configured shares for synthetic users; with --against, how many move between variants')
    .description(
      `Assign N synthetic units (keys sim-<seed>-0 .. sim-<seed>-<N-1>, no attributes except that bucketBy attributes carry the key)\n` +
        'in every experiment and compare observed with configured shares, with the sample-ratio chi-square p-value.\n' +
        'With --against <other-config>: for the same units, how many change variant and from where to where.\n' +
        `With --against <system> <file> (${FLAG_SYSTEMS.join(', ')}): the same against that system's own bucketing of its file\n` +
        '(as splitlane import reads it), so 0 moved proves a migration keeps every user in their variant.\n' +
        'Exit 0; 1 when a sample-ratio test fails (p < 0.001), or with --against <system> <file> when any unit moves.',
    )
    .argument('<config>', 'config file (JSON or YAML)')
    .option('-n, --users <n>', `synthetic units (1..${MAX_USERS})`, positiveInteger('--users', MAX_USERS), DEFAULT_USERS)
    .option('-s, --seed <seed>', 'seed of the unit keys: another seed, other units', '0')
    .option('--against <config...>', 'a second config (e.g. the next ramp step), or a system and its file: count the units that move')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      examples([
        'splitlane simulate splitlane.yaml',
        'splitlane simulate splitlane.yaml --users 100000 --seed 7',
        'splitlane simulate splitlane.yaml --against splitlane.next.yaml --json',
        'splitlane simulate splitlane.yaml --against flagd flags.json',
      ]),
    )
    .action(
      async (
        path: string,
        { against: againstArguments, ...options }: { users: number; seed: string; against?: string[]; json?: boolean },
      ) => {
        const base = await loadConfig(path)
        const other = againstArguments === undefined ? undefined : await loadAgainst(againstArguments, io)
        const against = againstArguments?.join(' ')
        const progress = (done: number) => {
          if (io.progress === true) io.err(`\rsimulating: ${Math.floor((done / options.users) * 100)}%`)
        }
        const { tallies, matrices } = simulateUnits(base, other, options.users, options.seed, progress)
        if (io.progress === true && options.users >= 20_000) io.err('\r\u001b[K')
        const experiments = shares(base.config, tallies, options.users)
        const mismatch = Object.values(experiments).some((result) => result.srm?.mismatch === true)
        const report: Record<string, unknown> = {
          config: path,
          users: options.users,
          seed: options.seed,
          keys: unitKey(options.seed, 0),
          experiments,
        }
        let moves: Record<string, Movement> = {}
        let added: string[] = []
        let removed: string[] = []
        if (other !== undefined) {
          const before = Object.keys(base.config.experiments)
          const after = Object.keys(other.config.experiments)
          added = after.filter((name) => !before.includes(name))
          removed = before.filter((name) => !after.includes(name))
          moves = Object.fromEntries([...matrices].map(([name, matrix]) => [name, movement(matrix, options.users)]))
          Object.assign(report, { against, movement: moves, added, removed })
        }
        if (options.json) io.out(json(report))
        else if (other === undefined) {
          io.out(`${options.users} synthetic units (keys ${unitKey(options.seed, 0)} ...) in ${path}\n\n`)
          io.out(
            Object.entries(experiments)
              .map(([name, result]) => sharesText(name, result, io))
              .join('\n'),
          )
        } else {
          io.out(`${options.users} synthetic units (keys ${unitKey(options.seed, 0)} ...), ${path} -> ${against}\n\n`)
          io.out(
            Object.entries(moves)
              .map(([name, result]) => movementText(name, result, options.users, io))
              .join('\n'),
          )
          if (added.length > 0) io.out(`\nadded experiments: ${added.join(', ')}\n`)
          if (removed.length > 0) io.out(`\nremoved experiments: ${removed.join(', ')}\n`)
        }
        // against a flag service the question is "does anyone move?", so a move fails the command (a CI gate)
        const movedFromSystem = againstArguments?.length === 2 && Object.values(moves).some((result) => result.moved > 0)
        setExit(mismatch || movedFromSystem ? EXIT.failed : EXIT.ok)
      },
    )
}

/** `--against config` or `--against <system> <file>` (converted as `splitlane import <system> <file>` does, warnings on stderr). */
async function loadAgainst(values: readonly string[], io: CliIo): Promise<Loaded> {
  if (values.length === 1) return loadConfig(values[0]!)
  const [system, file] = values
  if (values.length !== 2 || !isFlagSystem(system!))
    throw new CliError(`--against expects a config file, or a system (${FLAG_SYSTEMS.join(', ')}) and its file; got "${values.join(' ')}"`)
  const { config, warnings } = await readFlagFile(system, file!)
  for (const warning of warnings) io.err(`warning ${system}${warning.path ? ` ${warning.path}` : ''}: ${warning.message}\n`)
  const parsed = safeParseConfig(config)
  if (!parsed.success) throw new Error(`${file} converted to an invalid config (a bug in splitlane): ${parsed.error.issues[0]?.message}`)
  return { input: config, config: parsed.data }
}
