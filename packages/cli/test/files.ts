import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The example files under packages/cli/examples (also used by docs/cli.md). */
export const example = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url))

/** A fresh temporary directory; `write(name, text)` puts a real file there and returns its path. */
export async function tempFiles(): Promise<{ dir: string; write: (name: string, text: string) => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'splitlane-cli-'))
  return {
    dir,
    write: async (name, text) => {
      const path = join(dir, name)
      await writeFile(path, text)
      return path
    },
  }
}

/** Any ANSI escape sequence. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
export const ANSI = /\u001b\[/
