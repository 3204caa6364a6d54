import { readFile } from 'node:fs/promises'
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
}

export const EXIT = {
  /** The command ran and the answer is yes: valid config, healthy canary. */
  ok: 0,
  /** The command ran and the answer is no: invalid config, failing canary. */
  failed: 1,
  /** The command could not run: bad arguments, unreadable or unparseable file. */
  usage: 2,
} as const

/** A problem that stops a command before it can answer; printed as `splitlane: <message>`. */
export class CliError extends Error {
  override readonly name = 'CliError'
}

/** Reads a JSON or YAML file (by extension; YAML otherwise, which also reads JSON). Multi-document YAML gives every document. */
export async function readDocuments(path: string): Promise<unknown[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  if (extname(path).toLowerCase() === '.json') {
    try {
      return [JSON.parse(text) as unknown]
    } catch (error) {
      throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`)
    }
  }
  const documents = parseAllDocuments(text, { prettyErrors: true })
  if (!Array.isArray(documents)) return []
  const values: unknown[] = []
  for (const document of documents) {
    const problem = document.errors[0]
    if (problem) throw new CliError(`${path} is not valid YAML: ${problem.message}`)
    values.push(document.toJS() as unknown)
  }
  return values.filter((value) => value !== null && value !== undefined)
}

/** One document: a config or a metrics file. */
export async function readDocument(path: string): Promise<unknown> {
  const documents = await readDocuments(path)
  if (documents.length !== 1) throw new CliError(`${path} holds ${documents.length} documents; expected one`)
  return documents[0]
}
