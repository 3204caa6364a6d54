import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { anchorsOf, checkLink, linksOf, markdownFiles, slug } from './markdown.js'

const root = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '')

describe('markdown links', () => {
  const files = markdownFiles(root)

  it('covers the README, every docs page, the package READMEs and the example READMEs', () => {
    expect(files).toContain('README.md')
    expect(files).toContain('docs/README.md')
    expect(files).toContain('docs/reference/opentelemetry.md')
    expect(files).toEqual(expect.arrayContaining(['core', 'express', 'fastify', 'fetch'].map((name) => `packages/${name}/README.md`)))
  })

  it('every relative link and #anchor resolves, and every external link is well-formed', () => {
    const broken: string[] = []
    for (const file of files)
      for (const link of linksOf(readFileSync(`${root}/${file}`, 'utf8'))) {
        const problem = checkLink(root, `${root}/${file}`, link.target)
        if (problem !== undefined) broken.push(`${file}:${link.line}: [${link.text}](${link.target}): ${problem}`)
      }
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([])
  })
})

describe('the link checker', () => {
  it("makes GitHub's anchors", () => {
    expect(slug('Express: `@splitlane/express`')).toBe('express-splitlaneexpress')
    expect(slug('Fallback to control and the blast radius of a bad variant')).toBe(
      'fallback-to-control-and-the-blast-radius-of-a-bad-variant',
    )
    expect(slug('`variantOf` and speed')).toBe('variantof-and-speed')
    expect(slug('Canary → 100% (**promote**)')).toBe('canary--100-promote')
    expect(slug('A/B/n tests, [links](x.md) and no_key')).toBe('abn-tests-links-and-no_key')
    expect([...anchorsOf('# Setup\n\n## Setup\n\n```md\n# not a heading\n```\n\n<a id="custom"></a>\n')]).toEqual([
      'setup',
      'setup-1',
      'custom',
    ])
  })

  it('finds links outside code only', () => {
    const markdown = 'See [a](a.md#x) and `[b](b.md)`.\n\n```md\n[c](c.md)\n```\n\n[d]: https://example.com\n![e](img.png "title")\n'
    expect(linksOf(markdown).map((link) => `${link.line}:${link.target}`)).toEqual(['1:a.md#x', '7:https://example.com', '8:img.png'])
  })

  it('reports missing files, missing anchors, escapes and malformed URLs', () => {
    const readme = `${root}/docs/README.md`
    expect(checkLink(root, readme, 'guides/bucketing.md#layouts')).toBeUndefined()
    expect(checkLink(root, readme, '#reference')).toBeUndefined()
    expect(checkLink(root, readme, 'https://opentelemetry.io/docs/specs/semconv/')).toBeUndefined()
    expect(checkLink(root, readme, 'guides/nope.md')).toBe('no such file: docs/guides/nope.md')
    expect(checkLink(root, readme, 'guides/bucketing.md#nope')).toBe('no heading #nope in docs/guides/bucketing.md')
    expect(checkLink(root, readme, '../../outside.md')).toBe('points outside the repository')
    expect(checkLink(root, readme, 'https://exa mple.com')).toBe('malformed URL')
    expect(checkLink(root, readme, 'ftp://example.com')).toBe('not an http(s) or mailto link')
    expect(checkLink(root, readme, '../package.json#L2')).toBeUndefined()
    expect(checkLink(root, readme, '../package.json#L99999')).toBe('line #L99999 beyond the end of package.json')
  })
})
