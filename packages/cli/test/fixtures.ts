import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'

/** Path of a file under test/fixtures. */
export const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** Every document of a YAML fixture. */
export function fixtureDocuments(name: string): unknown[] {
  return parseAllDocuments(readFileSync(fixturePath(name), 'utf8')).map((document) => document.toJS() as unknown)
}

/** The one document of a YAML fixture. */
export const fixture = (name: string): unknown => fixtureDocuments(name)[0]
