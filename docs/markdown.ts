// Just enough Markdown reading for the docs tests: headings with GitHub's anchor slugs, links,
// and fenced code blocks, all outside fenced code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

export interface Line {
  /** 1-based line number. */
  number: number
  text: string
}

export interface Link {
  line: number
  text: string
  target: string
}

export interface CodeBlock {
  line: number
  lang: string
  code: string
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/

/** Splits a document into prose lines and fenced code blocks. */
export function splitMarkdown(markdown: string): { prose: Line[]; code: CodeBlock[] } {
  const prose: Line[] = []
  const code: CodeBlock[] = []
  let open: { fence: string; lang: string; line: number; lines: string[] } | undefined
  markdown.split(/\r?\n/).forEach((text, index) => {
    const number = index + 1
    const fence = FENCE.exec(text)
    if (open === undefined) {
      if (fence !== null) open = { fence: fence[1]!, lang: fence[2] ?? '', line: number, lines: [] }
      else prose.push({ number, text })
    } else if (fence !== null && fence[1]![0] === open.fence[0] && fence[1]!.length >= open.fence.length && fence[2] === '') {
      code.push({ line: open.line, lang: open.lang, code: open.lines.join('\n') + '\n' })
      open = undefined
    } else open.lines.push(text)
  })
  return { prose, code }
}

/** The text GitHub renders for inline Markdown: code spans, links, images and emphasis reduced to their text. */
export function inlineText(markdown: string): string {
  return markdown
    .split(/(`+[^`]*`+)/)
    .map((part, index) =>
      index % 2 === 1
        ? part.replace(/^`+\s?|\s?`+$/g, '')
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            .replace(/\*+|(^|\W)_+|_+(\W|$)/g, '$1$2'),
    )
    .join('')
}

/** GitHub's anchor for a heading text (github-slugger): lower case, punctuation and symbols dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return inlineText(heading)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** Every anchor a document offers: heading slugs (repeats get -1, -2, ...) and explicit `<a id>`/`<a name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const { text } of splitMarkdown(markdown).prose) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)
    if (heading !== null) {
      const base = slug(heading[1]!)
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      anchors.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const match of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!)
  }
  return anchors
}

/** Inline links and images `[text](target "title")` and reference definitions `[label]: target`, outside code. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = []
  for (const { number, text } of splitMarkdown(markdown).prose) {
    const prose = text.replace(/(`+)[\s\S]*?\1/g, '')
    for (const match of prose.matchAll(/!?\[((?:[^\]\\]|\\.)*)\]\(\s*(<[^>]*>|[^\s)]*)(?:\s+"[^"]*")?\s*\)/g))
      links.push({ line: number, text: match[1]!, target: match[2]!.replace(/^<|>$/g, '') })
    const definition = /^ {0,3}\[([^\]]+)\]:\s*(\S+)/.exec(prose)
    if (definition !== null) links.push({ line: number, text: definition[1]!, target: definition[2]! })
  }
  return links
}

/** Why a link does not resolve, or `undefined` when it does. `root` bounds the repository. */
export function checkLink(
  root: string,
  file: string,
  target: string,
  read = (path: string) => readFileSync(path, 'utf8'),
): string | undefined {
  if (target === '') return 'empty link'
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (/^mailto:[^@\s]+@[^@\s]+$/i.test(target)) return undefined
    if (!/^https?:\/\//i.test(target)) return 'not an http(s) or mailto link'
    try {
      const url = new URL(target)
      return url.hostname === '' || /\s/.test(target) ? 'malformed URL' : undefined
    } catch {
      return 'malformed URL'
    }
  }
  const hash = target.indexOf('#')
  const pathPart = hash === -1 ? target : target.slice(0, hash)
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
  let path: string
  try {
    const decoded = decodeURIComponent(pathPart.split('?')[0]!)
    path = decoded === '' ? file : decoded.startsWith('/') ? join(root, decoded) : resolve(dirname(file), decoded)
  } catch {
    return 'malformed path'
  }
  if (path !== root && !path.startsWith(root + sep)) return 'points outside the repository'
  if (!existsSync(path)) return `no such file: ${relative(root, path)}`
  if (anchor === undefined) return undefined
  if (statSync(path).isDirectory()) return 'an anchor on a directory'
  if (path.endsWith('.md')) return anchorsOf(read(path)).has(anchor) ? undefined : `no heading #${anchor} in ${relative(root, path)}`
  const lines = /^L(\d+)(?:-L(\d+))?$/.exec(anchor)
  if (lines === null) return `#${anchor} on a file that is not Markdown`
  const count = read(path).split('\n').length
  return Number(lines[2] ?? lines[1]) <= count ? undefined : `line #${anchor} beyond the end of ${relative(root, path)}`
}

const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage'])

/** Every Markdown file of the repository (outside node_modules, dist, coverage), repository-relative. */
export function markdownFiles(root: string, dir = root): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...markdownFiles(root, path))
    else if (entry.name.endsWith('.md')) files.push(relative(root, path))
  }
  return files.sort()
}
