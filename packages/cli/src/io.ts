import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { parseAllDocuments } from 'yaml'

/** Where a command reads and writes; tests pass their own, `bin.ts` passes the process's. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  /** Colour only when stdout is a terminal (and NO_COLOR is not set). */
  readonly isTTY: boolean
  /** Progress of long work only when stderr is a terminal. */
  readonly progress?: boolean
  /** Stops long-running commands (`dashboard`); tests abort it, the process stops on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal
}

export const EXIT = {
  /** The command ran and the answer is yes: valid config, healthy canary. */
  ok: 0,
  /** The command ran and the answer is no: invalid config, failing canary. */
  failed: 1,
  /** The command could not run: bad arguments, unreadable or unparseable file. */
  usage: 2,
  /** A bug in splitlane: an error it did not expect (EX_SOFTWARE). */
  internal: 70,
} as const

/** A problem that stops a command before it can answer; printed as `splitlane: <message>`. */
export class CliError extends Error {
  override readonly name = 'CliError'
}

/** Bytes of one input file at most: a manifest Kubernetes stores is at most 1.5 MiB (see docs/cli.md#limits). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024

/** YAML aliases (`*name`) expanded per document at most: more is how an alias bomb ("billion laughs") starts. */
export const MAX_YAML_ALIASES = 100

/** `line 3, column 7` and the line with a caret under the column, for a 0-based offset into `text`. */
export function pointAt(text: string, offset: number): string {
  const at = Math.max(0, Math.min(offset, text.length))
  const lineStart = text.lastIndexOf('\n', at - 1) + 1
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at)
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '')
  const lineNumber = text.slice(0, lineStart).split('\n').length
  const column = at - lineStart
  // long lines (minified JSON) are cut to 80 characters around the column
  const from = Math.max(0, column - 40)
  const shown = line.slice(from, from + 80)
  return `line ${lineNumber}, column ${column + 1}:\n\n  ${from > 0 ? '...' : ''}${shown}\n  ${' '.repeat(column - from + (from > 0 ? 3 : 0))}^`
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const message = (error as Error).message
    // V8 says where as "at position 164" (Node 20 also "line 5 column 3"); at the end for "Unexpected end of JSON input"
    const position = /position (\d+)/.exec(message)?.[1]
    const offset = position === undefined ? text.length : Number(position)
    const reason = message.replace(/,? (?:in JSON )?at position \d+.*$/s, '').replace(/ in JSON$/, '')
    throw new CliError(`${path} is not valid JSON: ${reason} at ${pointAt(text, offset)}`)
  }
}

/**
 * Reads a JSON or YAML file (by extension; YAML otherwise, which also reads JSON). Multi-document YAML gives every document.
 * Files larger than MAX_FILE_BYTES, more documents than `maxDocuments` and alias bombs stop the command (exit 2).
 */
export async function readDocuments(path: string, limits: { maxDocuments?: number } = {}): Promise<unknown[]> {
  let text: string
  try {
    const size = (await stat(path)).size
    if (size > MAX_FILE_BYTES)
      throw new CliError(`${path} is ${size} bytes; splitlane reads files of at most ${MAX_FILE_BYTES} bytes (8 MiB; docs/cli.md#limits)`)
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  // a pipe (/dev/stdin) has no size until it is read
  if (text.length > MAX_FILE_BYTES) throw new CliError(`${path} holds more than ${MAX_FILE_BYTES} bytes (8 MiB; docs/cli.md#limits)`)
  if (extname(path).toLowerCase() === '.json') return [parseJson(text, path)]
  const documents = parseAllDocuments(text, { prettyErrors: true })
  if (!Array.isArray(documents)) return []
  const maxDocuments = limits.maxDocuments ?? Infinity
  if (documents.length > maxDocuments)
    throw new CliError(`${path} holds ${documents.length} YAML documents; at most ${maxDocuments} are read (docs/cli.md#limits)`)
  const values: unknown[] = []
  for (const [index, document] of documents.entries()) {
    const problem = document.errors[0]
    if (problem) throw new CliError(`${path} is not valid YAML: ${problem.message}`)
    try {
      values.push(document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown)
    } catch (error) {
      // the yaml library stops expanding aliases past maxAliasCount with a ReferenceError
      const reason =
        error instanceof ReferenceError && /alias/i.test(error.message) ? 'too many alias expansions' : (error as Error).message
      throw new CliError(
        `${path} is not usable YAML: document ${index + 1}: ${reason} (at most ${MAX_YAML_ALIASES} per document; an "alias bomb" grows without end)`,
      )
    }
  }
  return values.filter((value) => value !== null && value !== undefined)
}

/** One document: a config or a metrics file. */
export async function readDocument(path: string): Promise<unknown> {
  const documents = await readDocuments(path)
  if (documents.length !== 1) throw new CliError(`${path} holds ${documents.length} documents; expected one`)
  return documents[0]
}
