import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults, run, UPSTREAM_KEY } from './expect.js'
import { servedConfig } from '../src/config.js'
import { startUpstream, type Upstream } from './upstream.js'

const deno = createRequire(import.meta.url).resolve('@deno/linux-x64-glibc/deno')
let upstream: Upstream
let dir: string
let configPath: string
beforeAll(async () => {
  upstream = await startUpstream()
  dir = await mkdtemp(join(tmpdir(), 'splitlane-deno-'))
  configPath = join(dir, 'splitlane.json')
  await writeFile(configPath, JSON.stringify(servedConfig))
})
afterAll(async () => {
  await upstream.close()
  await rm(dir, { recursive: true, force: true })
})

describe('Deno (@deno/linux-x64-glibc), without --allow-env (network and the config file directory only)', () => {
  it('matches Node; a refused env read is a missing variable (UPSTREAM_ENV_MISSING, the call goes to control); serves withSplitlane on Deno.serve; follows a config file', async () => {
    const node = await nodeResults(upstream)
    // UPSTREAM_KEY is in Deno's environment, but without --allow-env reading it throws NotCapable
    const stdout = await run(
      deno,
      [
        'run',
        '--no-prompt',
        '--allow-net=127.0.0.1',
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        bundlePath('cli'),
        upstream.url,
        configPath,
      ],
      {
        UPSTREAM_KEY,
        NO_COLOR: '1',
      },
    )
    const results = JSON.parse(stdout)
    expectLikeNode(results, node, 'missing')
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
