import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseByScores, chooseVariant, compileExperiment } from './bucketing.js'
import { parseConfig } from './config/parse.js'

function compiled(weights: number[]) {
  const config = parseConfig({ version: 1, experiments: { e: { variants: weights.map((weight, i) => ({ name: `v${i}`, weight })) } } })
  return compileExperiment('e', config.experiments.e!)
}

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
