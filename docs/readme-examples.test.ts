// The package READMEs' examples cannot rot: every ```ts block of packages/*/README.md is
// type-checked, strict, against the built packages (dist/*.d.ts), as a user's file would be.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { splitMarkdown } from './markdown.js'

const root = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '')
const packages = ['core', 'express', 'fastify', 'fetch', 'sources', 'prometheus']
const entries: Record<string, string> = {
  '@splitlane/core': 'core/dist/index.d.ts',
  '@splitlane/core/adapter': 'core/dist/adapter.d.ts',
  '@splitlane/core/otel': 'core/dist/otel.d.ts',
  '@splitlane/express': 'express/dist/index.d.ts',
  '@splitlane/fastify': 'fastify/dist/index.d.ts',
  '@splitlane/fetch': 'fetch/dist/index.d.ts',
  '@splitlane/sources': 'sources/dist/index.d.ts',
  '@splitlane/sources/node': 'sources/dist/node.d.ts',
  '@splitlane/prometheus': 'prometheus/dist/index.d.ts',
}

/** Each README's ```ts blocks as virtual files beside the package, so its dependencies resolve as they would for a user. */
function examples(): Map<string, { readme: string; line: number; code: string }> {
  const files = new Map<string, { readme: string; line: number; code: string }>()
  for (const name of packages) {
    const readme = `packages/${name}/README.md`
    splitMarkdown(readFileSync(`${root}/${readme}`, 'utf8'))
      .code.filter((block) => block.lang === 'ts')
      .forEach((block, index) =>
        files.set(`${root}/packages/${name}/readme-example-${index}.ts`, { readme, line: block.line, code: block.code }),
      )
  }
  return files
}

function typeCheck(files: Map<string, { readme: string; line: number; code: string }>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [`${root}/node_modules/@types`],
    esModuleInterop: true,
    skipLibCheck: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    paths: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, [`${root}/packages/${path}`]])),
  }
  const host = ts.createCompilerHost(options)
  const fileExists = host.fileExists.bind(host)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.fileExists = (path) => files.has(path) || fileExists(path)
  host.readFile = (path) => files.get(path)?.code ?? readFile(path)
  host.getSourceFile = (path, language, ...rest) => {
    const example = files.get(path)
    return example === undefined ? getSourceFile(path, language, ...rest) : ts.createSourceFile(path, example.code, language)
  }
  const program = ts.createProgram([...files.keys()], options, host)
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    const example = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName)
    if (diagnostic.file === undefined || example === undefined) return `${diagnostic.file?.fileName ?? ''}: ${message}`
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    return `${example.readme}:${example.line + 1 + line}: ${message}`
  })
}

describe('package README examples', () => {
  it('type-check against the built packages (and a stale example would fail)', () => {
    for (const path of Object.values(entries)) expect(existsSync(`${root}/packages/${path}`), `${path}: run pnpm build first`).toBe(true)
    const files = examples()
    for (const name of packages) expect([...files.values()].some((example) => example.readme === `packages/${name}/README.md`)).toBe(true)
    // checked in the same program, so the check is shown to catch an example that no longer matches the API
    const stale = "import { createSplitter } from '@splitlane/core'\ncreateSplitter({ config: { version: 2, experiments: {} } })\n"
    files.set(`${root}/packages/core/readme-example-stale.ts`, { readme: 'stale example', line: 0, code: stale })
    expect(typeCheck(files)).toEqual(["stale example:2: Type '2' is not assignable to type '1'."])
  })
})
