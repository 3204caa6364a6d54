// `splitlane import <system> <file>` and `simulate --against <system> <file>` on a flag file of each
// system (test/fixtures/flags/): the imported config must give every unit the variant that the
// system's own JavaScript SDK gives it from the very same file, and simulate must count 0 moves.
// (Non-ASCII keys are compared in packages/core/test/compat-peers.test.ts, where two SDKs diverge from their specs.)
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GrowthBookClient } from '@growthbook/growthbook'
import { FlagdCore } from '@openfeature/flagd-core'
import { createInstance, createStaticProjectConfigManager } from '@optimizely/optimizely-sdk'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client'
import { describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'

const fixture = (system: string) => new URL(`./fixtures/flags/${system}.json`, import.meta.url).pathname
const keys = Array.from({ length: 2000 }, (_, index) => (index % 2 === 0 ? `user-${index * 7919}` : `${index}`))

async function imported(system: string): Promise<{ config: SplitlaneConfig; warnings: { path: string; message: string }[] }> {
  const result = await splitlane(['import', system, fixture(system), '--json'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as { config: SplitlaneConfig; warnings: { path: string; message: string }[] }
}

/** Units whose variant from splitlane (their key, and the attributes given) differs from the SDK's. */
function differing(
  config: SplitlaneConfig,
  experiment: string,
  attributes: (key: string) => Record<string, string>,
  theirs: (key: string) => string,
) {
  const splitter = createSplitter({ config, onError: (error) => expect.fail(String(error)) })
  return keys.filter((key) => {
    const assignment = splitter.assign(experiment, { key, attributes: attributes(key) })
    return (assignment.inExperiment ? assignment.variant : '(out)') !== theirs(key)
  })
}

describe('splitlane import <system> <file> keeps every unit in the variant the system gives it', () => {
  it('flagd: the same variant as @openfeature/flagd-core from the same flags file, default and custom bucketing', async () => {
    const { config, warnings } = await imported('flagd')
    expect(Object.keys(config.experiments)).toEqual(['new-checkout', 'color'])
    expect(warnings).toEqual([
      { source: 'flagd', path: 'flags.banner.targeting', message: expect.stringContaining('no top-level "fractional"') },
    ])
    const flagd = new FlagdCore()
    flagd.setConfigurations(readFileSync(fixture('flagd'), 'utf8'))
    expect(
      differing(
        config,
        'new-checkout',
        (key) => ({ targetingKey: key }),
        (key) => String(flagd.resolveBooleanEvaluation('new-checkout', false, { targetingKey: key }).variant),
      ),
    ).toEqual([])
    expect(
      differing(
        config,
        'color',
        (key) => ({ email: key }),
        (key) => String(flagd.resolveStringEvaluation('color', '', { targetingKey: 'x', email: key }).variant),
      ),
    ).toEqual([])
  })

  it('Unleash: the same variant as unleash-client bootstrapped with the same features export', async () => {
    const { config } = await imported('unleash')
    expect(Object.keys(config.experiments)).toEqual(['new-checkout', 'color'])
    const { features } = JSON.parse(readFileSync(fixture('unleash'), 'utf8')) as { features: never[] }
    const unleash = new Unleash({
      appName: 'splitlane-import-test',
      url: 'http://127.0.0.1:9/', // never contacted: bootstrap only, no polling, no metrics
      refreshInterval: 0,
      disableMetrics: true,
      metricsInterval: 0,
      storageProvider: new InMemStorageProvider(),
      skipInstanceCountWarning: true,
      bootstrap: { data: features },
    })
    await once(unleash, UnleashEvents.Synchronized, { signal: AbortSignal.timeout(5000) })
    try {
      expect(
        differing(
          config,
          'new-checkout',
          (key) => ({ userId: key }),
          (key) => (unleash.isEnabled('new-checkout', { userId: key }) ? 'enabled' : '(out)'),
        ),
      ).toEqual([])
      expect(
        differing(
          config,
          'color',
          (key) => ({ userId: key }),
          (key) => {
            const variant = unleash.getVariant('color', { userId: key })
            return variant.enabled ? variant.name : '(out)'
          },
        ),
      ).toEqual([])
    } finally {
      unleash.destroy()
    }
  })

  it('Optimizely: the same variation as @optimizely/optimizely-sdk from the same datafile, forced variations included', async () => {
    const { config } = await imported('optimizely')
    expect(config.experiments.testExperiment?.overrides).toEqual({ user1: 'control' })
    const datafile = JSON.parse(readFileSync(fixture('optimizely'), 'utf8')) as Record<string, unknown>
    const client = createInstance({
      projectConfigManager: createStaticProjectConfigManager({
        datafile: JSON.stringify({ ...datafile, featureFlags: [], rollouts: [], attributes: [], audiences: [], events: [] }),
      }),
    })
    await client.onReady({ timeout: 5000 })
    try {
      const theirs = (key: string) => client.getVariation('testExperiment', key) ?? '(out)'
      expect(differing(config, 'testExperiment', () => ({}), theirs)).toEqual([])
      const splitter = createSplitter({ config })
      expect([splitter.assign('testExperiment', { key: 'user1' }).variant, theirs('user1')]).toEqual(['control', 'control'])
    } finally {
      await client.close()
    }
  })

  it('GrowthBook: the same variation as @growthbook/growthbook from the same features payload, hash v1 and v2', async () => {
    const { config } = await imported('growthbook')
    expect(Object.keys(config.experiments)).toEqual(['new-checkout', 'color-test'])
    const growthbook = new GrowthBookClient().initSync({ payload: JSON.parse(readFileSync(fixture('growthbook'), 'utf8')) as never })
    const names = (experiment: string) =>
      config.experiments[experiment]!.variants.map((variant) => [JSON.stringify(variant.value), variant.name] as const)
    for (const [experiment, feature] of [
      ['new-checkout', 'new-checkout'],
      ['color-test', 'color'],
    ] as const) {
      const byValue = new Map(names(experiment))
      const theirs = (key: string) => {
        const result = growthbook.evalFeature(feature, { attributes: { id: key } })
        return result.source === 'experiment' && result.experimentResult?.inExperiment
          ? byValue.get(JSON.stringify(result.value))!
          : '(out)'
      }
      expect(differing(config, experiment, (key) => ({ id: key }), theirs)).toEqual([])
    }
  })
})

describe('splitlane import <system> <file> on files it cannot reproduce', () => {
  const dir = mkdtempSync(join(tmpdir(), 'splitlane-flags-'))
  const file = (name: string, value: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(value))
    return join(dir, name)
  }

  it('stops with the path of a field of the wrong type (exit 2), never a silent import', async () => {
    const path = file('flagd-bad.json', {
      flags: {
        f: {
          variants: { a: 1, b: 2 },
          targeting: {
            fractional: [
              ['a', '90'],
              ['b', 10],
            ],
          },
        },
      },
    })
    const result = await splitlane(['import', 'flagd', path])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'flags.f.targeting.fractional[0][1]: expected a weight (an integer 0..1000000), received the string "90"',
    )
    // a GrowthBook weight written as a string would otherwise make GrowthBook's equal split silently
    const growthbook = file('growthbook-bad.json', { features: { f: { rules: [{ variations: [0, 1], weights: ['0.9', 0.1] }] } } })
    const stopped = await splitlane(['import', 'growthbook', growthbook])
    expect(stopped.code).toBe(2)
    expect(stopped.stderr).toContain('features.f.rules[0].weights[0]: expected a weight (a number 0..1), received the string "0.9"')
  })

  it('takes flag keys such as "constructor" as names, and reports a system it does not know', async () => {
    const path = file('flagd-names.json', {
      flags: { constructor: { variants: { a: 1, b: 2 }, targeting: { fractional: [['a'], ['b']] } } },
    })
    const imported = await splitlane(['import', 'flagd', path, '--json'])
    expect(imported.code, imported.stderr).toBe(0)
    expect(Object.keys((JSON.parse(imported.stdout) as { config: SplitlaneConfig }).config.experiments)).toEqual(['constructor'])
    const unknown = await splitlane(['import', 'launchdarkly', path])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown system "launchdarkly": expected one of flagd, unleash, optimizely, growthbook')
  })

  it('exits 1 with every reason when nothing in the file can be reproduced', async () => {
    const path = file('growthbook-namespace.json', {
      features: { f: { rules: [{ variations: [0, 1], namespace: ['pricing', 0, 0.5] }] } },
    })
    const result = await splitlane(['import', 'growthbook', path])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('features.f.rules[0].namespace namespace is not reproduced: "f" not imported')
  })
})

describe('splitlane simulate --against <system> <file>', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'splitlane-flags-')), 'splitlane.json')

  it('counts 0 moves for the imported config and the re-bucketing of one without the compat layout', async () => {
    const { config } = await imported('flagd')
    writeFileSync(path, JSON.stringify(config))
    const same = await splitlane(['simulate', path, '--against', 'flagd', fixture('flagd'), '--json'])
    expect(same.code, same.stderr).toBe(0)
    const movement = (JSON.parse(same.stdout) as { movement: Record<string, { moved: number }> }).movement
    expect(movement['new-checkout']!.moved).toBe(0)
    expect(movement.color!.moved).toBe(0)
    const { layout: _layout, ...plain } = config.experiments['new-checkout']!
    writeFileSync(path, JSON.stringify({ version: 1, experiments: { 'new-checkout': plain } }))
    const rebucketed = await splitlane(['simulate', path, '--against', 'flagd', fixture('flagd'), '--json'])
    expect(rebucketed.code).toBe(1)
    const moved = (JSON.parse(rebucketed.stdout) as { movement: Record<string, { moved: number }> }).movement['new-checkout']!.moved
    // a 90/10 split hashed differently moves about 2 x 0.9 x 0.1 = 18% of units
    expect(moved).toBeGreaterThan(1500)
    expect(moved).toBeLessThan(2100)
  })

  it('names the systems when --against gets something else', async () => {
    writeFileSync(path, JSON.stringify({ version: 1, experiments: { e: { variants: [{ name: 'a' }] } } }))
    const result = await splitlane(['simulate', path, '--against', 'launchdarkly', 'flags.json'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('flagd, unleash, optimizely, growthbook')
  })
})
