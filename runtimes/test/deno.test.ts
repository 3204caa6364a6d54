import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults, run, UPSTREAM_KEY } from './expect.js'
import { startUpstream, type Upstream } from './upstream.js'

const deno = createRequire(import.meta.url).resolve('@deno/linux-x64-glibc/deno')
let upstream: Upstream
beforeAll(async () => (upstream = await startUpstream()))
afterAll(() => upstream.close())

describe('Deno (@deno/linux-x64-glibc), network only: no --allow-env', () => {
  it('matches Node; a refused env read is a missing variable (UPSTREAM_ENV_MISSING, the call goes to control); serves withSplitlane on Deno.serve', async () => {
    const node = await nodeResults(upstream)
    // UPSTREAM_KEY is in Deno's environment, but without --allow-env reading it throws NotCapable
    const stdout = await run(deno, ['run', '--no-prompt', '--allow-net=127.0.0.1', bundlePath('cli'), upstream.url], {
      UPSTREAM_KEY,
      NO_COLOR: '1',
    })
    const results = JSON.parse(stdout)
    expectLikeNode(results, node, 'missing')
    expect(results.served).toEqual({
      status: 200,
      body: 'hello /served',
      variant: node.server.known,
      anonymousCookie: true,
      anonymousVariant: expect.stringMatching(/^checkout=/),
    })
  })
})
