// What users check before they install, for every published package: where it comes from
// (repository, homepage, bugs), LICENSE and CHANGELOG.md in the tarball (copies of the root
// files), and a README whose links work on the npm page: absolute, or to a file in the tarball.
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkLink, linksOf } from './markdown.js'

const root = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '')
const REPOSITORY = 'https://github.com/splitlane/splitlane'

interface Manifest {
  name: string
  private?: boolean
  license?: string
  repository?: { type?: string; url?: string; directory?: string }
  homepage?: string
  bugs?: { url?: string }
  files?: string[]
}
const published = readdirSync(`${root}/packages`)
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(`${root}/packages/${dir}/package.json`, 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true)

/** The files `pnpm pack` would put in the tarball, as publish does. */
async function tarballFiles(dir: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('pnpm', ['pack', '--dry-run', '--json'], { cwd: `${root}/packages/${dir}` })
  return (JSON.parse(stdout) as { files: { path: string }[] }).files.map((file) => file.path)
}

/** Why a package README's link would not work on the npm page, or `undefined` when it does. */
export function readmeLinkProblem(dir: string, target: string, tarball: readonly string[]): string | undefined {
  const readme = `${root}/packages/${dir}/README.md`
  if (target.startsWith('#')) return checkLink(root, readme, target)
  const inRepository = /^https:\/\/github\.com\/splitlane\/splitlane\/(?:blob|tree)\/main\/([^#?]+)(#.*)?$/.exec(target)
  if (inRepository !== null) return checkLink(root, readme, `/${inRepository[1]}${inRepository[2] ?? ''}`)
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return checkLink(root, readme, target)
  const path = new URL(target, `https://x/${dir}/README.md`).pathname.slice(1).split('#')[0]!
  if (!path.startsWith(`${dir}/`))
    return 'a relative link out of the package: make it absolute (https://github.com/splitlane/splitlane/blob/main/...)'
  const file = path.slice(dir.length + 1)
  return tarball.some((packed) => packed === file || packed.startsWith(`${file}/`)) ? undefined : `${file} is not in the tarball`
}

describe('published packages', () => {
  it('are the ones we expect', () => {
    expect(published.map(({ manifest }) => manifest.name)).toEqual(
      expect.arrayContaining(['@splitlane/core', '@splitlane/express', '@splitlane/fastify', '@splitlane/fetch', '@splitlane/cli']),
    )
  })

  it.each(published)(
    '$manifest.name says where it comes from (repository with directory, homepage, bugs, license)',
    ({ dir, manifest }) => {
      expect(manifest.license).toBe('MIT')
      expect(manifest.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${dir}` })
      expect(manifest.homepage).toBe(`${REPOSITORY}/tree/main/packages/${dir}#readme`)
      expect(manifest.bugs).toEqual({ url: `${REPOSITORY}/issues` })
    },
  )

  it('carry LICENSE and CHANGELOG.md, identical to the root ones, and a README whose links work on npm', async () => {
    const tarballs = await Promise.all(published.map(({ dir }) => tarballFiles(dir)))
    const problems: string[] = []
    published.forEach(({ dir }, index) => {
      const tarball = tarballs[index]!
      for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md'])
        if (!tarball.includes(file)) problems.push(`packages/${dir}: ${file} is not in the tarball`)
      for (const file of ['LICENSE', 'CHANGELOG.md'])
        if (readFileSync(`${root}/packages/${dir}/${file}`, 'utf8') !== readFileSync(`${root}/${file}`, 'utf8'))
          problems.push(`packages/${dir}/${file} differs from the root ${file} (copy it: cp ${file} packages/${dir}/)`)
      for (const link of linksOf(readFileSync(`${root}/packages/${dir}/README.md`, 'utf8'))) {
        const problem = readmeLinkProblem(dir, link.target, tarball)
        if (problem !== undefined) problems.push(`packages/${dir}/README.md:${link.line}: [${link.text}](${link.target}): ${problem}`)
      }
    })
    expect(problems, problems.join('\n')).toEqual([])
  })

  it('the README link rule refuses links that break on npm', () => {
    const tarball = ['README.md', 'dist/index.js', 'package.json']
    expect(readmeLinkProblem('core', '../../docs/README.md', tarball)).toMatch(/out of the package/)
    expect(readmeLinkProblem('core', 'scripts/render-config-docs.ts', tarball)).toBe('scripts/render-config-docs.ts is not in the tarball')
    expect(readmeLinkProblem('core', 'dist/index.js', tarball)).toBeUndefined()
    expect(readmeLinkProblem('core', `${REPOSITORY}/blob/main/docs/README.md`, tarball)).toBeUndefined()
    expect(readmeLinkProblem('core', `${REPOSITORY}/blob/main/docs/nope.md`, tarball)).toBe('no such file: docs/nope.md')
    expect(readmeLinkProblem('core', `${REPOSITORY}/blob/main/docs/README.md#nope`, tarball)).toBe('no heading #nope in docs/README.md')
    expect(readmeLinkProblem('core', 'https://opentelemetry.io/docs/specs/semconv/', tarball)).toBeUndefined()
  })
})
