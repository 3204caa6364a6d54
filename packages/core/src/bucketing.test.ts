import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseByScores, chooseVariant, compileExperiment, scaleToHash } from './bucketing.js'
import { parseConfig } from './config/parse.js'

function compiled(weights: number[]) {
  const config = parseConfig({ version: 1, experiments: { e: { variants: weights.map((weight, i) => ({ name: `v${i}`, weight })) } } })
  return compileExperiment('e', config.experiments.e!)
}

describe('scaleToHash: floor(2^32 * n / d) without BigInt', () => {
  const exact = (n: number, d: number) => Number((BigInt(n) << 32n) / BigInt(d))
  it('equals the BigInt reference for every numerator 0..d, small and large denominators', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 2 ** 36 - 1 }), fc.integer({ min: 2 ** 36, max: 2 ** 50 })),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (d, share) => {
          const n = Math.floor(d * share)
          expect(scaleToHash(n, d)).toBe(exact(n, d))
        },
      ),
      { numRuns: 20_000 },
    )
    for (const d of [1, 3, 7, 1_000_000, 99_999_999, 2 ** 36 - 1])
      for (const n of [0, 1, d - 1, d]) expect(scaleToHash(n, d)).toBe(exact(n, d))
  })
})

describe('stable layout fast path', () => {
  it('picks exactly the variant the scores pick, for any weights and hash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 2, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 200, maxLength: 200 }),
        (weights, hashes) => {
          fc.pre(weights.filter((weight) => weight > 0).length >= 2)
          const experiment = compiled(weights)
          for (const hash of hashes) expect(chooseVariant(experiment, hash)).toBe(chooseByScores(experiment, hash))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('agrees on 200,000 consecutive hashes of an 80/10/10 split and a 1-in-a-million one', () => {
    for (const weights of [
      [80, 10, 10],
      [1, 999_999],
      [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    ]) {
      const experiment = compiled(weights)
      for (let hash = 0; hash < 200_000; hash++) {
        const spread = (hash * 2654435761) >>> 0
        if (chooseVariant(experiment, spread) !== chooseByScores(experiment, spread))
          throw new Error(`weights ${weights.join('/')} disagree at hash ${spread}`)
      }
    }
  })
})
