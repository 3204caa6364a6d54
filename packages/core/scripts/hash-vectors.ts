// Writes docs/reference/hash-v1-vectors.json: golden vectors of hash spec v1 that an
// implementation in any language can replay. Written once; test/hash-vectors.test.ts replays it,
// so a change to hashing shows up as a failing test rather than a silently regenerated file.
import { writeFileSync } from 'node:fs'
import { EXPOSURE_SEED, exposureDraw } from '../src/bucketing.js'
import { createSplitter, murmur3, type SplitlaneConfig } from '../src/index.js'
import { mix32 } from '../src/murmur3.js'

const utf8Hex = (text: string) => Buffer.from(new TextEncoder().encode(text)).toString('hex')

const texts: [string, number][] = [
  ['', 0],
  ['fractional-flagjack', 0],
  ['café', 0],
  ['Hellø', 0],
  ['😀', 0],
  ['ejOoVL', 0],
  ['bY9fO-', 0],
  ['SI7p-', 0],
  ['6LvT0', 0],
  ['ceQdGm', 0],
  ['ppid11886780721', 1],
  ['user-42', 0],
  ['user-42', 2166136261],
  ['ユーザー42', 0],
  ['\ud800', 0],
  ['ab\udc00cd', 7],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c],
]

const config: SplitlaneConfig = {
  version: 1,
  experiments: {
    checkout: {
      variants: [
        { name: 'v1', weight: 10 },
        { name: 'v2', weight: 10 },
        { name: 'v3', weight: 80 },
      ],
    },
    'checkout-ranges': {
      variants: [
        { name: 'v1', weight: 10 },
        { name: 'v2', weight: 10 },
        { name: 'v3', weight: 80 },
      ],
      layout: 'ranges',
    },
    canary: {
      variants: [
        { name: 'stable', weight: 95 },
        { name: 'canary', weight: 5 },
      ],
      exposure: 50,
      salt: 'canary-2026',
    },
    tiny: {
      variants: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 999999 },
        { name: 'c', weight: 0 },
      ],
    },
  },
}
const splitter = createSplitter({ config })
const keys = ['user-42', 'user-43', '42', 'alice@example.com', 'ユーザー42', '😀', 'x'.repeat(37)]

const layered: SplitlaneConfig = {
  version: 1,
  holdout: 20,
  layers: { page: {} },
  experiments: {
    buttons: { variants: [{ name: 'blue' }, { name: 'green' }], layer: { name: 'page', slice: [0, 30] } },
    oneClick: {
      variants: [{ name: 'off' }, { name: 'on' }],
      layer: {
        name: 'page',
        slice: [
          [30, 50],
          [90, 100],
        ],
      },
    },
  },
}
const layeredSplitter = createSplitter({ config: layered })
const holdoutSeed = murmur3('splitlane.holdout')
const layerSeed = murmur3('page')
const layeredKeys = Array.from({ length: 12 }, (_, i) => `user-${100 + i}`)

const vectors = {
  spec: 'splitlane hash spec v1 (docs/reference/hashing.md)',
  exposureSeed: EXPOSURE_SEED,
  murmur3: texts.map(([text, seed]) => ({ text, utf8Hex: utf8Hex(text), seed, hash: murmur3(text, seed) })),
  mix32: [
    [0, 0],
    [1, 0],
    [0xffffffff, 0],
    [123456789, 987654321],
    [0xdeadbeef, EXPOSURE_SEED],
  ].map(([word, seed]) => ({ word, seed, hash: mix32(word!, seed!) })),
  config,
  assignments: Object.keys(config.experiments).flatMap((experiment) => {
    const experimentSeed = murmur3(config.experiments[experiment]!.salt ?? experiment)
    return keys.map((key) => {
      const unitHash = mix32(murmur3(key), experimentSeed)
      const assignment = splitter.assign(experiment, { key })
      return {
        experiment,
        key,
        keyHash: murmur3(key),
        experimentSeed,
        unitHash,
        exposureDraw: exposureDraw(unitHash),
        variant: assignment.variant,
        inExperiment: assignment.inExperiment,
      }
    })
  }),
  holdoutAndLayers: {
    config: layered,
    holdoutSeed,
    layerSeed,
    assignments: Object.keys(layered.experiments).flatMap((experiment) =>
      layeredKeys.map((key) => {
        const assignment = layeredSplitter.assign(experiment, { key })
        return {
          experiment,
          key,
          keyHash: murmur3(key),
          holdoutDraw: mix32(murmur3(key), holdoutSeed),
          layerPosition: mix32(murmur3(key), layerSeed),
          reason: assignment.reason,
          variant: assignment.variant,
        }
      }),
    ),
  },
}

writeFileSync(new URL('../../../docs/reference/hash-v1-vectors.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`)
console.log('wrote docs/reference/hash-v1-vectors.json')
