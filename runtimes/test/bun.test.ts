import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults, run, UPSTREAM_KEY } from './expect.js'
import { servedConfig } from '../src/config.js'
import { startUpstream, type Upstream } from './upstream.js'

const bun = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun')
let upstream: Upstream
let dir: string
let configPath: string
beforeAll(async () => {
  upstream = await startUpstream()
  dir = await mkdtemp(join(tmpdir(), 'splitlane-bun-'))
  configPath = join(dir, 'splitlane.json')
  await writeFile(configPath, JSON.stringify(servedConfig))
})
afterAll(async () => {
  await upstream.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Bun (@oven/bun-linux-x64)', () => {
  it('assigns, explains, verifies WebCrypto tokens, splits and mirrors calls, reads a URL config, as Node does; serves withSplitlane on Bun.serve; follows a config file', async () => {
    const node = await nodeResults(upstream)
    const results = JSON.parse(await run(bun, ['run', bundlePath('cli'), upstream.url, configPath], { UPSTREAM_KEY }))
    expectLikeNode(results, node, 'filled')
    expect(results.served).toEqual({
      status: 200,
      body: `hello /served, ${node.server.known}`,
      variant: node.server.known,
      anonymousCookie: true,
      anonymousVariant: expect.stringMatching(/^checkout=/),
    })
    expect(results.file).toEqual({ first: 9, changed: 10 }) // the file source loaded the file and followed a change
  })
})
