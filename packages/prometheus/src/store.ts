// Where the rollout controller keeps the config document: a file written atomically (temp file +
// rename, so a reader such as a mounted ConfigMap or `createFileConfigSource` never sees half a
// document), with compare-and-swap on its content so an edit made meanwhile is never overwritten.
import { createHash } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface StoredDocument {
  text: string
  /** A hash of `text`: what a compare-and-swap compares. */
  version: string
}

export type StoreWrite = { written: true; version: string } | { written: false; current: StoredDocument | null }

export interface ConfigStore {
  /** The document, or null when there is none. */
  read(): Promise<StoredDocument | null>
  /** Writes `text` only if the document is still at `expected` (null: absent); otherwise returns what is there. */
  write(text: string, expected: string | null): Promise<StoreWrite>
  /** For messages, e.g. the file's path. */
  readonly name: string
}

export const versionOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16)

/** A config file as the store: JSON or YAML is the controller's business (its `codec`); this keeps text. */
export function createFileConfigStore(path: string): ConfigStore {
  let sequence = 0
  const read = async (): Promise<StoredDocument | null> => {
    try {
      const text = await readFile(path, 'utf8')
      return { text, version: versionOf(text) }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }
  return {
    name: path,
    read,
    async write(text, expected) {
      const current = await read()
      if ((current?.version ?? null) !== expected) return { written: false, current }
      // Same directory, so the rename is atomic (one file system).
      const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${++sequence}.tmp`)
      await writeFile(temporary, text)
      await rename(temporary, path)
      return { written: true, version: versionOf(text) }
    },
  }
}
