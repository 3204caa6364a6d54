import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { createMetricsRecorder, createVariantStats, type MetricsWindow, type Outcome, type VariantStats } from '@splitlane/core'
import { CliError, readDocument } from './io.js'

/**
 * CSV of per-request samples, one row per request, with a header row naming the columns (any order):
 * `experiment` (optional when `--experiment` is given), `variant` (required), `status` (HTTP status; 5xx is an error),
 * `latency_ms`, `error` (true/false/1/0/yes/no), and `event:<name>` columns (a number: 1 for a conversion).
 * Empty cells are missing values; blank lines and lines starting with `#` are skipped.
 */
export const CSV_COLUMNS = ['experiment', 'variant', 'status', 'latency_ms', 'error'] as const

const TRUE = new Set(['true', '1', 'yes'])
const FALSE = new Set(['false', '0', 'no', ''])

function cells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'))
}

export function parseMetricsCsv(text: string, path: string, defaultExperiment?: string): MetricsWindow {
  const lines = text.split(/\r?\n/)
  const at = lines.findIndex((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
  if (at < 0) throw new CliError(`${path} has no header row; expected columns like ${CSV_COLUMNS.join(',')}`)
  const header = cells(lines[at]!).map((name) => name.toLowerCase())
  const column = (name: string) => header.indexOf(name)
  for (const name of header)
    if (!(CSV_COLUMNS as readonly string[]).includes(name) && !name.startsWith('event:'))
      throw new CliError(`${path}: unknown column "${name}"; columns are ${CSV_COLUMNS.join(', ')} and event:<name>`)
  if (column('variant') < 0) throw new CliError(`${path}: no "variant" column; expected columns like ${CSV_COLUMNS.join(',')}`)
  if (column('experiment') < 0 && defaultExperiment === undefined)
    throw new CliError(`${path}: no "experiment" column; add one or pass --experiment`)
  const events = header.flatMap((name, index) => (name.startsWith('event:') ? [{ name: name.slice('event:'.length), index }] : []))
  const recorder = createMetricsRecorder()
  for (let index = at + 1; index < lines.length; index++) {
    const line = lines[index]!
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const row = cells(line)
    const where = `${path}:${index + 1}`
    const cell = (name: string) => (column(name) < 0 ? '' : (row[column(name)] ?? ''))
    const number = (name: string, text: string) => {
      const value = Number(text)
      if (text === '' || !Number.isFinite(value)) throw new CliError(`${where}: ${name} "${text}" is not a number`)
      return value
    }
    const experiment = cell('experiment') || defaultExperiment
    const variant = cell('variant')
    if (!experiment || !variant) throw new CliError(`${where}: a row needs an experiment and a variant`)
    const outcome: { -readonly [K in keyof Outcome]: Outcome[K] } = {}
    if (cell('status') !== '') outcome.status = number('status', cell('status'))
    if (cell('latency_ms') !== '') outcome.latencyMs = number('latency_ms', cell('latency_ms'))
    const error = cell('error').toLowerCase()
    if (TRUE.has(error)) outcome.error = true
    else if (!FALSE.has(error)) throw new CliError(`${where}: error "${cell('error')}" is not true/false`)
    const eventValues = Object.create(null) as Record<string, number>
    for (const event of events)
      if ((row[event.index] ?? '') !== '') eventValues[event.name] = number(`event:${event.name}`, row[event.index]!)
    if (Object.keys(eventValues).length > 0) outcome.events = eventValues
    recorder.record({ experiment, variant }, outcome)
  }
  return recorder.snapshot()
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A MetricsWindow as JSON (e.g. `recorder.snapshot()`); fields left out of a variant's stats default to empty. */
export function parseMetricsWindow(input: unknown, path: string): MetricsWindow {
  if (!isObject(input) || !isObject(input.experiments))
    throw new CliError(
      `${path} is not a metrics window: expected { "experiments": { <experiment>: { <variant>: { requests, errors, latencyMs, ... } } } }`,
    )
  // null-prototype maps: experiment and variant names come from the file (`__proto__` and `constructor` are names like any other)
  const experiments = Object.create(null) as Record<string, Record<string, VariantStats>>
  for (const [experiment, variants] of Object.entries(input.experiments)) {
    if (!isObject(variants)) throw new CliError(`${path}: experiments.${experiment} is not an object of variants`)
    const variantsOut = Object.create(null) as Record<string, VariantStats>
    experiments[experiment] = variantsOut
    for (const [variant, stats] of Object.entries(variants)) {
      const at = `experiments.${experiment}.${variant}`
      if (!isObject(stats)) throw new CliError(`${path}: ${at} is not an object of variant stats`)
      for (const field of ['requests', 'errors'])
        if (stats[field] !== undefined && !(Number.isInteger(stats[field]) && (stats[field] as number) >= 0))
          throw new CliError(`${path}: ${at}.${field} is not a count (an integer >= 0)`)
      for (const field of ['latencyMs', 'ttfbMs'])
        if (stats[field] !== undefined && !(isObject(stats[field]) && isObject(stats[field].bins)))
          throw new CliError(`${path}: ${at}.${field} is not a quantile sketch (as recorder.snapshot() writes it)`)
      const empty = createVariantStats()
      variantsOut[variant] = {
        ...empty,
        ...stats,
        excluded: { ...empty.excluded, ...(isObject(stats.excluded) ? stats.excluded : {}) },
        statusClasses: { ...empty.statusClasses, ...(isObject(stats.statusClasses) ? stats.statusClasses : {}) },
        shadow: { ...empty.shadow, ...(isObject(stats.shadow) ? stats.shadow : {}) },
        events: isObject(stats.events) ? Object.assign(Object.create(null) as Record<string, unknown>, stats.events) : {},
      } as VariantStats
    }
  }
  return {
    ...(typeof input.start === 'number' ? { start: input.start } : {}),
    ...(typeof input.end === 'number' ? { end: input.end } : {}),
    experiments,
  }
}

/** Reads a metrics file: `.csv` as per-request rows, anything else as a MetricsWindow in JSON or YAML. */
export async function readMetrics(path: string, defaultExperiment?: string): Promise<MetricsWindow> {
  if (extname(path).toLowerCase() !== '.csv') return parseMetricsWindow(await readDocument(path), path)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  return parseMetricsCsv(text, path, defaultExperiment)
}
