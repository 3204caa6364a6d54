// The compat layouts against the peers' own JavaScript SDKs, on 10,000 keys from a fixed seed
// (9,000 ASCII, 1,000 non-ASCII). On ASCII every SDK must agree with splitlane. On non-ASCII,
// flagd-core (imurmurhash) and unleash-client (murmurhash3js) do not hash the key's UTF-8 bytes,
// which MurmurHash3 (defined over bytes) and flagd's spec ask for; there splitlane follows the spec, and the test
// checks it against MurmurHash3 over UTF-8 (murmurhash3js-revisited) and counts the disagreements.
import { once } from 'node:events'
import { GrowthBookClient } from '@growthbook/growthbook'
import { FlagdCore } from '@openfeature/flagd-core'
import { createInstance, createStaticProjectConfigManager, OptimizelyDecideOption } from '@optimizely/optimizely-sdk'
import murmurhash3js from 'murmurhash3js-revisited'
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client'
import { afterAll, describe, expect, it } from 'vitest'
import { createSplitter, type ExperimentConfig } from '../src/index.js'

/** mulberry32, so every run compares the very same keys. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(0xc0a7)
const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('')
const nonAscii = [
  () => `usuário-${hex(12)}`,
  () => `josé.garcía+${hex(6)}@exämple.com`,
  () => `用户-${hex(16)}`,
  () => `пользователь-${hex(10)}`,
  () => `🙂-${hex(20)}`,
]
const asciiKeys = Array.from({ length: 9000 }, (_, index) => (index % 2 === 0 ? `user-${hex(20)}` : `${index}`))
const nonAsciiKeys = Array.from({ length: 1000 }, (_, index) => nonAscii[index % nonAscii.length]!())

const utf8 = new TextEncoder()
const murmur3Utf8 = (text: string, seed: number) => murmurhash3js.x86.hash32(utf8.encode(text), seed) >>> 0

const figures: string[] = []
afterAll(() => console.log(`compat layouts vs peer SDKs on 9,000 ASCII + 1,000 non-ASCII keys:\n  ${figures.join('\n  ')}`))

/** splitlane's variant for each key, from one experiment `e`. */
function splitlaneVariants(experiment: ExperimentConfig, attribute: string | null): (key: string) => string {
  const splitter = createSplitter({
    config: { version: 1, experiments: { e: experiment } },
    onError: (error) => expect.fail(String(error)),
  })
  return (key) => {
    const assignment = splitter.assign('e', attribute === null ? { key } : { attributes: { [attribute]: key } })
    return assignment.inExperiment ? assignment.variant! : '(out)'
  }
}

function compare(name: string, keys: readonly string[], ours: (key: string) => string, theirs: (key: string) => string) {
  const differing = keys.filter((key) => ours(key) !== theirs(key))
  return { differing, agree: keys.length - differing.length }
}

describe('compat layouts agree with the peer SDKs', () => {
  it('flagd: @openfeature/flagd-core fractional', () => {
    const weights: [string, number][] = [
      ['red', 50],
      ['green', 30],
      ['blue', 20],
    ]
    const flagd = new FlagdCore()
    flagd.setConfigurations(
      JSON.stringify({
        flags: {
          'new-checkout': {
            state: 'ENABLED',
            variants: Object.fromEntries(weights.map(([variant]) => [variant, variant])),
            defaultVariant: 'red',
            targeting: { fractional: weights },
          },
        },
      }),
    )
    const theirs = (key: string) => flagd.resolveStringEvaluation('new-checkout', 'none', { targetingKey: key }).value
    const ours = splitlaneVariants(
      { variants: weights.map(([name, weight]) => ({ name, weight })), salt: 'new-checkout', layout: { compat: 'flagd' } },
      null,
    )
    const ascii = compare('flagd', asciiKeys, ours, theirs)
    expect(ascii.differing).toEqual([])
    // The spec: murmur3 over the UTF-8 bytes of flagKey + targetingKey, bucket (hash * 100) >> 32.
    const spec = (key: string) => {
      const bucket = Math.floor((murmur3Utf8(`new-checkout${key}`, 0) * 100) / 2 ** 32)
      return bucket < 50 ? 'red' : bucket < 80 ? 'green' : 'blue'
    }
    expect(compare('flagd', nonAsciiKeys, ours, spec).differing).toEqual([])
    const other = compare('flagd', nonAsciiKeys, ours, theirs)
    figures.push(
      `flagd-core 4.0.1: ASCII ${ascii.agree}/9000 agree; non-ASCII ${other.agree}/1000 agree (imurmurhash mixes UTF-16 code units; splitlane hashes UTF-8 as flagd's spec says, and matches that reference 1000/1000)`,
    )
  })

  it('Unleash: unleash-client gradual rollout with variants', async () => {
    const variants = [
      { name: 'red', weight: 500 },
      { name: 'green', weight: 300 },
      { name: 'blue', weight: 200 },
    ]
    const unleash = new Unleash({
      appName: 'splitlane-compat-test',
      url: 'http://127.0.0.1:9/', // never contacted: bootstrap only, no polling, no metrics
      refreshInterval: 0,
      disableMetrics: true,
      metricsInterval: 0,
      storageProvider: new InMemStorageProvider(),
      skipInstanceCountWarning: true,
      bootstrap: {
        data: [
          {
            name: 'new-checkout',
            enabled: true,
            strategies: [
              {
                name: 'flexibleRollout',
                parameters: { rollout: '60', stickiness: 'userId', groupId: 'checkout-group' },
                constraints: [],
                variants: variants.map((variant) => ({ ...variant, stickiness: 'userId', weightType: 'variable' })),
              },
            ],
          },
        ],
      },
    })
    await once(unleash, UnleashEvents.Synchronized, { signal: AbortSignal.timeout(5000) })
    try {
      const theirs = (key: string) => {
        const variant = unleash.getVariant('new-checkout', { userId: key })
        return variant.enabled ? variant.name : '(out)'
      }
      const ours = splitlaneVariants(
        {
          variants: [{ name: 'disabled', weight: 0 }, ...variants],
          exposure: 60,
          bucketBy: ['userId'],
          layout: { compat: 'unleash', groupId: 'checkout-group' },
        },
        'userId',
      )
      const ascii = compare('unleash', asciiKeys, ours, theirs)
      expect(ascii.differing).toEqual([])
      const spec = (key: string) => {
        if ((murmur3Utf8(`checkout-group:${key}`, 0) % 100) + 1 > 60) return '(out)'
        const target = (murmur3Utf8(`checkout-group:${key}`, 86028157) % 1000) + 1
        return target <= 500 ? 'red' : target <= 800 ? 'green' : 'blue'
      }
      expect(compare('unleash', nonAsciiKeys, ours, spec).differing).toEqual([])
      const other = compare('unleash', nonAsciiKeys, ours, theirs)
      figures.push(
        `unleash-client 6.12.1: ASCII ${ascii.agree}/9000 agree; non-ASCII ${other.agree}/1000 agree (murmurhash3js keeps the low byte of each UTF-16 code unit; splitlane hashes UTF-8 and matches that reference 1000/1000)`,
      )
    } finally {
      unleash.destroy()
    }
  })

  it('Optimizely: @optimizely/optimizely-sdk decide on an A/B experiment with 10% unallocated', async () => {
    const trafficAllocation = [
      { entityId: '9001', endOfRange: 4500 },
      { entityId: '9002', endOfRange: 9000 },
    ]
    const datafile = {
      version: '4',
      projectId: '1',
      accountId: '1',
      revision: '1',
      anonymizeIP: true,
      botFiltering: false,
      sdkKey: 'splitlane-compat-test',
      environmentKey: 'test',
      attributes: [],
      audiences: [],
      typedAudiences: [],
      events: [],
      groups: [],
      integrations: [],
      rollouts: [{ id: 'rollout-1', experiments: [] }],
      featureFlags: [{ id: 'flag-1', key: 'new_checkout', rolloutId: 'rollout-1', experimentIds: ['1886780721'], variables: [] }],
      experiments: [
        {
          id: '1886780721',
          key: 'new_checkout_test',
          status: 'Running',
          layerId: 'layer-1',
          audienceIds: [],
          audienceConditions: [],
          forcedVariations: {},
          variations: [
            { id: '9001', key: 'control', featureEnabled: true, variables: [] },
            { id: '9002', key: 'treatment', featureEnabled: true, variables: [] },
          ],
          trafficAllocation,
        },
      ],
    }
    const client = createInstance({ projectConfigManager: createStaticProjectConfigManager({ datafile: JSON.stringify(datafile) }) })
    await client.onReady({ timeout: 5000 })
    try {
      const theirs = (key: string) => {
        const decision = client.createUserContext(key).decide('new_checkout', [OptimizelyDecideOption.DISABLE_DECISION_EVENT])
        return decision.ruleKey === 'new_checkout_test' && decision.variationKey !== null ? decision.variationKey : '(out)'
      }
      const ours = splitlaneVariants(
        {
          variants: [
            { name: 'control', weight: 4500 },
            { name: 'treatment', weight: 4500 },
          ],
          layout: { compat: 'optimizely', experimentId: '1886780721' },
        },
        null,
      )
      const ascii = compare('optimizely', asciiKeys, ours, theirs)
      const other = compare('optimizely', nonAsciiKeys, ours, theirs)
      expect(ascii.differing).toEqual([])
      expect(other.differing).toEqual([]) // its murmurhash 2 hashes UTF-8, like splitlane
      figures.push(`optimizely-sdk 6.6.1: ASCII ${ascii.agree}/9000 agree; non-ASCII ${other.agree}/1000 agree`)
    } finally {
      await client.close()
    }
  })

  it('GrowthBook: @growthbook/growthbook evalFeature, hash versions 1 and 2, partial coverage', () => {
    for (const hashVersion of [1, 2] as const) {
      const growthbook = new GrowthBookClient().initSync({
        payload: {
          features: {
            'new-checkout': {
              defaultValue: '(out)',
              rules: [
                {
                  key: 'checkout-exp',
                  seed: 'checkout-seed',
                  hashVersion,
                  variations: ['red', 'green', 'blue'],
                  weights: [0.5, 0.3, 0.2],
                  coverage: 0.85,
                  hashAttribute: 'id',
                },
              ],
            },
          },
        },
      })
      const theirs = (key: string) => growthbook.evalFeature<string>('new-checkout', { attributes: { id: key } }).value!
      const ours = splitlaneVariants(
        {
          variants: [
            { name: 'red', weight: 500_000 },
            { name: 'green', weight: 300_000 },
            { name: 'blue', weight: 200_000 },
          ],
          salt: 'checkout-exp',
          exposure: 85,
          bucketBy: ['id'],
          layout: { compat: 'growthbook', seed: 'checkout-seed', hashVersion },
        },
        'id',
      )
      const ascii = compare('growthbook', asciiKeys, ours, theirs)
      const other = compare('growthbook', nonAsciiKeys, ours, theirs)
      expect(ascii.differing).toEqual([])
      expect(other.differing).toEqual([]) // both hash UTF-16 code units, as GrowthBook's JavaScript SDK defines it
      figures.push(`growthbook 1.8.0 hash v${hashVersion}: ASCII ${ascii.agree}/9000 agree; non-ASCII ${other.agree}/1000 agree`)
    }
  })
})
