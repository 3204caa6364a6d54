import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSplitter, type Splitter } from '@splitlane/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileConfigSource } from './config-source-file.js'
import type { ConfigRejection, ConfigSource, ConfigUpdate } from './config-source.js'
import { config, unhandledRejections, within } from '../test/helpers.js'

/** Resolves on the next event a callback list receives. */
function events<T>() {
  const seen: T[] = []
  let waiting: ((value: T) => void) | null = null
  return {
    seen,
    push: (value: T) => {
      seen.push(value)
      waiting?.(value)
      waiting = null
    },
    next: () => new Promise<T>((resolve) => (waiting = resolve)),
  }
}

let dir: string
let source: ConfigSource | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-file-source-'))
})
afterEach(async () => {
  source?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('createFileConfigSource', () => {
  it('keeps every assignment on one whole config while the file is rewritten: the bad rewrite is rejected, the good one lands', async () => {
    const path = join(dir, 'splitlane.json')
    const reference = { r1: createSplitter({ config: config('r1', 50) }), r2: createSplitter({ config: config('r2', 90) }) }
    await writeFile(path, JSON.stringify(config('r1', 50)))
    const splitter = createSplitter({ config: config('r1', 50) })
    const updates = events<ConfigUpdate>()
    const rejections = events<ConfigRejection>()
    source = createFileConfigSource({ path, splitter, onUpdate: updates.push, onReject: rejections.push })
    await source.ready

    const seenRevisions = new Set<unknown>()
    let mismatches = 0
    for (let i = 0; i < 10_000; i++) {
      const key = `user-${i}`
      const assignment = splitter.assign('checkout', { key })
      seenRevisions.add(assignment.revision)
      const expected = reference[assignment.revision as 'r1' | 'r2'].variantOf('checkout', key)
      if (assignment.variant !== expected) mismatches++
      if (i === 2_000) {
        const rejected = rejections.next()
        await writeFile(
          path,
          JSON.stringify({ ...config('bad', 50), experiments: { checkout: { variants: [{ name: 'control', weight: -5 }] } } }),
        )
        await rejected
      }
      if (i === 5_000) {
        const updated = updates.next()
        await writeFile(path, JSON.stringify(config('r2', 90)))
        await updated
      }
      if (i % 250 === 0) await new Promise((resolve) => setImmediate(resolve))
    }

    expect(mismatches).toBe(0)
    expect([...seenRevisions]).toEqual(['r1', 'r2'])
    expect(rejections.seen).toHaveLength(1)
    expect(rejections.seen[0]!.issues.map((issue) => issue.path)).toContain('experiments.checkout.variants[0].weight')
    expect(updates.seen.map((update) => update.revision)).toEqual(['r1', 'r2']) // the first load counts
    expect(source.status()).toMatchObject({ revision: 'r2', updates: 2, rejections: 1, consecutiveFailures: 0 })
  })

  it('rejects a half-written file and applies it once it is complete', async () => {
    const path = join(dir, 'splitlane.json')
    const whole = JSON.stringify(config('r2', 90))
    await writeFile(path, JSON.stringify(config('r1', 50)))
    const splitter = createSplitter({ config: config('r1', 50) })
    const rejections = events<ConfigRejection>()
    const updates = events<ConfigUpdate>()
    source = createFileConfigSource({ path, splitter, onReject: rejections.push, onUpdate: updates.push })
    await source.ready

    const rejected = rejections.next()
    await writeFile(path, whole.slice(0, whole.length / 2))
    const rejection = await rejected
    expect(rejection.issues[0]!.message).toMatch(/^not valid JSON/)
    expect(splitter.revision).toBe('r1')

    const updated = updates.next()
    await writeFile(path, whole)
    expect((await updated).revision).toBe('r2')
  })

  it('follows a file replaced by rename, as editors and deploy tools do', async () => {
    const path = join(dir, 'splitlane.json')
    await writeFile(path, JSON.stringify(config('r1', 50)))
    const splitter = createSplitter({ config: config('r1', 50) })
    const updates = events<ConfigUpdate>()
    source = createFileConfigSource({ path, splitter, onUpdate: updates.push })
    await source.ready

    for (const revision of ['r2', 'r3']) {
      const updated = updates.next()
      await writeFile(join(dir, '.splitlane.json.tmp'), JSON.stringify(config(revision, 90)))
      await rename(join(dir, '.splitlane.json.tmp'), path)
      expect((await updated).revision).toBe(revision)
    }
    expect(splitter.revision).toBe('r3')
  })

  it('follows a Kubernetes ConfigMap mount, where an update swaps the ..data symlink', async () => {
    const path = join(dir, 'splitlane.json')
    const publish = async (version: string, revision: string) => {
      await mkdir(join(dir, version))
      await writeFile(join(dir, version, 'splitlane.json'), JSON.stringify(config(revision, 90)))
      await symlink(version, join(dir, '..data_tmp'))
      await rename(join(dir, '..data_tmp'), join(dir, '..data'))
    }
    await publish('..2026_11_22_v1', 'r1')
    await symlink(join('..data', 'splitlane.json'), path)
    const splitter = createSplitter({ config: config('r0', 0) })
    const updates = events<ConfigUpdate>()
    source = createFileConfigSource({ path, splitter, onUpdate: updates.push })
    expect(await source.ready).toMatchObject({ revision: 'r1' })

    const updated = updates.next()
    await publish('..2026_11_22_v2', 'r2')
    expect((await updated).revision).toBe('r2')
  })

  it('reports a missing file without touching the config, and stops on close', async () => {
    const splitter = createSplitter({ config: config('r1', 50) })
    const rejections: ConfigRejection[] = []
    source = createFileConfigSource({ path: join(dir, 'missing.json'), splitter, onReject: (rejection) => rejections.push(rejection) })
    const status = await source.ready
    expect(status).toMatchObject({ revision: 'r1', rejections: 1, consecutiveFailures: 1 })
    expect(rejections[0]!.error.code).toBe('SPLITLANE_ERR_SOURCE_UNAVAILABLE')
    expect(rejections[0]!.error.message).toContain('missing.json')

    source.close()
    await writeFile(join(dir, 'missing.json'), JSON.stringify(config('r2', 90)))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(splitter.revision).toBe('r1')
  })
})

describe('createFileConfigSource survives anything written to its file', () => {
  let unhandled: ReturnType<typeof unhandledRejections>
  beforeEach(() => (unhandled = unhandledRejections()))
  afterEach(() => unhandled.stop())

  it('reports a document whose update throws, keeps the last good config and keeps watching', async () => {
    const path = join(dir, 'splitlane.json')
    await writeFile(path, JSON.stringify(config('r1', 50)))
    const splitter = createSplitter({ config: config('r0', 0) })
    const fragile: Splitter = Object.create(splitter) as Splitter
    fragile.update = (next) => {
      if (next.revision === 'boom') throw new TypeError('compile failed')
      return splitter.update(next)
    }
    const updates = events<ConfigUpdate>()
    const rejections = events<ConfigRejection>()
    source = createFileConfigSource({ path, splitter: fragile, onUpdate: updates.push, onReject: rejections.push })
    expect(await source.ready).toMatchObject({ revision: 'r1' })

    const rejected = rejections.next()
    await writeFile(path, JSON.stringify(config('boom', 10)))
    expect((await within(rejected, 3_000)).error).toMatchObject({
      code: 'SPLITLANE_ERR_INTERNAL',
      message: expect.stringContaining('compile failed'),
    })
    expect(splitter.revision).toBe('r1')

    const updated = updates.next()
    await writeFile(path, JSON.stringify(config('r2', 90)))
    expect((await within(updated, 3_000)).revision).toBe('r2')
    expect(unhandled.seen).toEqual([])
  })

  it('follows a directory that is deleted and created again (the watch is re-established)', async () => {
    const configDir = join(dir, 'conf')
    const path = join(configDir, 'splitlane.json')
    await mkdir(configDir)
    await writeFile(path, JSON.stringify(config('r1', 50)))
    const splitter = createSplitter({ config: config('r0', 0) })
    const updates = events<ConfigUpdate>()
    source = createFileConfigSource({ path, splitter, onUpdate: updates.push, onReject: () => {}, retryMs: 50 })
    expect(await source.ready).toMatchObject({ revision: 'r1' })

    // Deleted and at once created again (the watch sees only the deletion) ...
    let updated = updates.next()
    await rm(configDir, { recursive: true })
    await mkdir(configDir)
    await writeFile(path, JSON.stringify(config('r2', 90)))
    expect((await within(updated, 3_000)).revision).toBe('r2')

    // ... and deleted, left missing for a while, then created again.
    await rm(configDir, { recursive: true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    updated = updates.next()
    await mkdir(configDir)
    await writeFile(path, JSON.stringify(config('r3', 10)))
    expect((await within(updated, 3_000)).revision).toBe('r3')

    // And the new directory is watched: an ordinary rewrite is followed.
    updated = updates.next()
    await writeFile(path, JSON.stringify(config('r4', 20)))
    expect((await within(updated, 3_000)).revision).toBe('r4')
    expect(unhandled.seen).toEqual([])
  })

  it('refuses a file larger than maxBytes', async () => {
    const path = join(dir, 'splitlane.json')
    await writeFile(path, JSON.stringify({ ...config('big', 50), padding: 'x'.repeat(2_000) }))
    const splitter = createSplitter({ config: config('r0', 0) })
    const rejections: ConfigRejection[] = []
    source = createFileConfigSource({ path, splitter, maxBytes: 1_000, onReject: (rejection) => rejections.push(rejection) })
    expect(await source.ready).toMatchObject({ revision: 'r0', consecutiveFailures: 1 })
    expect(rejections[0]!.error).toMatchObject({ code: 'SPLITLANE_ERR_SOURCE_TOO_LARGE', message: expect.stringContaining('1000') })
  })
})
