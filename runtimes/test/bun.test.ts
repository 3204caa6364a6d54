import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults, run, UPSTREAM_KEY } from './expect.js'
import { startUpstream, type Upstream } from './upstream.js'

const bun = createRequire(import.meta.url).resolve('@oven/bun-linux-x64/bin/bun')
let upstream: Upstream
beforeAll(async () => (upstream = await startUpstream()))
afterAll(() => upstream.close())

describe('Bun (@oven/bun-linux-x64)', () => {
  it('assigns, explains, verifies WebCrypto tokens, splits and mirrors calls, reads a URL config, as Node does; serves withSplitlane on Bun.serve', async () => {
    const node = await nodeResults(upstream)
    const results = JSON.parse(await run(bun, ['run', bundlePath('cli'), upstream.url], { UPSTREAM_KEY }))
    expectLikeNode(results, node, 'filled')
    expect(results.served).toEqual({
      status: 200,
      body: 'hello /served',
      variant: node.server.known,
      anonymousCookie: true,
      anonymousVariant: expect.stringMatching(/^checkout=/),
    })
  })
})
