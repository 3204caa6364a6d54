import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EXPOSURE_SEED, exposureDraw } from '../src/bucketing.js'
import { createSplitter, murmur3, type SplitlaneConfig } from '../src/index.js'
import { mix32 } from '../src/murmur3.js'

interface Vectors {
  exposureSeed: number
  murmur3: { text: string; utf8Hex: string; seed: number; hash: number }[]
  mix32: { word: number; seed: number; hash: number }[]
  config: SplitlaneConfig
  assignments: {
    experiment: string
    key: string
    keyHash: number
    experimentSeed: number
    unitHash: number
    exposureDraw: number
    variant: string
    inExperiment: boolean
  }[]
  holdoutAndLayers: {
    config: SplitlaneConfig
    holdoutSeed: number
    layerSeed: number
    assignments: {
      experiment: string
      key: string
      keyHash: number
      holdoutDraw: number
      layerPosition: number
      reason: string
      variant: string
    }[]
  }
}

const vectors = JSON.parse(readFileSync(new URL('../../../docs/reference/hash-v1-vectors.json', import.meta.url), 'utf8')) as Vectors

describe('hash spec v1 golden vectors (docs/reference/hash-v1-vectors.json)', () => {
  it('the exposure seed is murmur3("splitlane.exposure")', () => {
    expect(vectors.exposureSeed).toBe(EXPOSURE_SEED)
    expect(murmur3('splitlane.exposure')).toBe(EXPOSURE_SEED)
  })

  it.each(vectors.murmur3)('murmur3($text, $seed) = $hash', ({ text, utf8Hex, seed, hash }) => {
    expect(Buffer.from(new TextEncoder().encode(text)).toString('hex')).toBe(utf8Hex)
    expect(murmur3(text, seed)).toBe(hash)
  })

  it.each(vectors.mix32)('mix32($word, $seed) = $hash', ({ word, seed, hash }) => {
    expect(mix32(word, seed)).toBe(hash)
  })

  it('every assignment replays: key hash, experiment seed, unit hash, exposure draw, variant', () => {
    const splitter = createSplitter({ config: vectors.config })
    expect(vectors.assignments.length).toBeGreaterThan(20)
    for (const vector of vectors.assignments) {
      const experiment = vectors.config.experiments[vector.experiment]!
      expect(murmur3(vector.key)).toBe(vector.keyHash)
      expect(murmur3(experiment.salt ?? vector.experiment)).toBe(vector.experimentSeed)
      expect(mix32(vector.keyHash, vector.experimentSeed)).toBe(vector.unitHash)
      expect(exposureDraw(vector.unitHash)).toBe(vector.exposureDraw)
      const assignment = splitter.assign(vector.experiment, { key: vector.key })
      expect([assignment.variant, assignment.inExperiment, assignment.hash]).toEqual([vector.variant, vector.inExperiment, vector.unitHash])
    }
  })

  it('holdout draws, layer positions and the reasons they give replay', () => {
    const { config, holdoutSeed, layerSeed, assignments } = vectors.holdoutAndLayers
    expect(murmur3('splitlane.holdout')).toBe(holdoutSeed)
    expect(murmur3('page')).toBe(layerSeed)
    const splitter = createSplitter({ config })
    const threshold = (percent: number) => Math.floor((2 ** 32 * percent) / 100)
    for (const vector of assignments) {
      expect(mix32(murmur3(vector.key), holdoutSeed)).toBe(vector.holdoutDraw)
      expect(mix32(murmur3(vector.key), layerSeed)).toBe(vector.layerPosition)
      const slices = {
        buttons: [[0, 30]],
        oneClick: [
          [30, 50],
          [90, 100],
        ],
      }[vector.experiment]!
      const expected =
        vector.holdoutDraw < threshold(20)
          ? 'holdout'
          : slices.some(([start, end]) => vector.layerPosition >= threshold(start!) && vector.layerPosition < threshold(end!))
            ? 'split'
            : 'outside_layer'
      expect(vector.reason).toBe(expected)
      expect(splitter.assign(vector.experiment, { key: vector.key })).toMatchObject({ reason: vector.reason, variant: vector.variant })
    }
    expect(new Set(assignments.map((vector) => vector.reason))).toEqual(new Set(['holdout', 'outside_layer', 'split']))
  })
})
