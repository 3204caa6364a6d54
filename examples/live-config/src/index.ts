// Live config: a splitter that follows a config URL (polled with ETag) and a config file (watched),
// and never swaps in a bad document.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { createUrlConfigSource } from '@splitlane/sources'
import { createFileConfigSource } from '@splitlane/sources/node'

const config = (revision: number, canaryPercent: number): SplitlaneConfig => ({
  version: 1,
  revision,
  experiments: {
    checkout: {
      variants: [
        { name: 'control', weight: 100 - canaryPercent },
        { name: 'canary', weight: canaryPercent },
      ],
    },
  },
})
const canaryShare = (splitter: ReturnType<typeof createSplitter>) => {
  let canary = 0
  for (let i = 0; i < 10_000; i++) if (splitter.variantOf('checkout', `user-${i}`) === 'canary') canary++
  return `${(canary / 100).toFixed(1)}% canary`
}

// 1. A URL source. The "server" here is a local one whose document we change by hand.
let document = JSON.stringify(config(1, 5))
const server = createServer((request, response) => {
  const etag = `"${document.length}-${document.slice(-40).replace(/\W/g, '')}"`
  if (request.headers['if-none-match'] === etag) return response.writeHead(304).end()
  response.writeHead(200, { 'content-type': 'application/json', etag }).end(document)
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/splitlane.json`

const splitter = createSplitter({ config: config(0, 0) })
const source = createUrlConfigSource({
  url,
  splitter,
  intervalMs: 30_000,
  onUpdate: ({ revision }) => console.log(`url: now on revision ${revision}`),
  onReject: ({ error }) => console.log(`url: rejected, kept revision ${splitter.revision}: ${error.message.split('\n').join(' ')}`),
})
await source.ready
console.log(`url: ${canaryShare(splitter)}`)

document = JSON.stringify(config(2, 25)) // the ramp goes from 5% to 25%
await source.refresh()
console.log(`url: ${canaryShare(splitter)}`)

document = JSON.stringify(config(3, 25)).replace('"weight":75', '"weight":-75') // a bad edit
await source.refresh()
console.log(`url: ${canaryShare(splitter)} (still revision ${splitter.revision})`)
source.close()
server.close()

// 2. A file source: rewrite the file and the splitter follows.
const dir = await mkdtemp(join(tmpdir(), 'splitlane-example-'))
const path = join(dir, 'splitlane.json')
await writeFile(path, JSON.stringify(config(10, 50)))
const fromFile = createSplitter({ config: config(10, 50) })
const updated = new Promise<void>((resolve) => {
  const watcher = createFileConfigSource({
    path,
    splitter: fromFile,
    onUpdate: ({ revision }) => {
      console.log(`file: now on revision ${revision}`)
      if (revision === 11) {
        watcher.close()
        resolve()
      }
    },
  })
  void watcher.ready.then(() => writeFile(path, JSON.stringify(config(11, 100))))
})
await updated
console.log(`file: ${canaryShare(fromFile)}`)
await rm(dir, { recursive: true })
