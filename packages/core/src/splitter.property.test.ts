import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chiSquarePValue } from './stats/chi-square.js'
import { sampleRatioMismatch } from './stats/srm.js'
import { createSplitter } from './splitter.js'
import type { Layout, SplitlaneConfig, Splitter } from './types.js'

const KEYS = Array.from({ length: 100_000 }, (_, i) => (i % 10 === 0 ? `utilisateur-é-${i}` : `user-${i.toString(36)}-${i}`))

function splitterFor(weights: readonly number[], options: { layout?: Layout; exposure?: number; salt?: string; names?: string[] } = {}) {
  const names = options.names ?? weights.map((_, index) => `v${index}`)
  const config: SplitlaneConfig = {
    version: 1,
    experiments: {
      e: {
        variants: weights.map((weight, index) => ({ name: names[index]!, weight })),
        layout: options.layout ?? 'stable',
        exposure: options.exposure ?? 100,
        salt: options.salt ?? 'e',
      },
    },
  }
  return createSplitter({ config })
}

function variantsOf(splitter: Splitter, keys: readonly string[]): string[] {
  return keys.map((key) => splitter.variantOf('e', key)!)
}

/** |observed - n p| within 3 binomial standard deviations. */
function expectWithinThreeSigma(observed: number, n: number, p: number, label: string) {
  const sd = Math.sqrt(n * p * (1 - p))
  const deviation = Math.abs(observed - n * p)
  if (deviation > 3 * sd) throw new Error(`${label}: observed ${observed}, expected ${n * p} ± ${3 * sd} (3 sd)`)
}

const LAYOUTS: ('stable' | 'ranges')[] = ['stable', 'ranges']

describe('guarantee 1: deterministic across processes', () => {
  it('a child process running the built package computes the same 10,000 assignments', () => {
    const config: SplitlaneConfig = {
      version: 1,
      experiments: {
        checkout: {
          variants: [
            { name: 'v1', weight: 10 },
            { name: 'v2', weight: 10 },
            { name: 'v3', weight: 80 },
          ],
          exposure: 90,
        },
      },
    }
    const keys = KEYS.slice(0, 10_000)
    const script = fileURLToPath(new URL('../test/determinism-child.mjs', import.meta.url))
    const output = execFileSync(process.execPath, [script], { input: JSON.stringify({ config, keys }), maxBuffer: 64 << 20 }).toString()
    const splitter = createSplitter({ config })
    const local = keys.map((key) => {
      const assignment = splitter.assign('checkout', { key })
      return [assignment.variant, assignment.hash]
    })
    expect(JSON.parse(output)).toEqual(local)
  })
})

describe('guarantee 2: accurate shares', () => {
  const weightSets = [
    [10, 10, 80],
    [1, 999_999],
    [999_999, 1],
    [50, 50],
    [1, 1, 1, 1, 1],
    [0, 3, 7],
    [33, 33, 34],
    [5, 95, 0],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  ]
  for (const layout of LAYOUTS)
    it.each(weightSets.map((weights) => ({ weights })))(
      `${layout}: each share within 3 sd of weight/sum on 100,000 keys, no SRM ($weights)`,
      ({ weights }) => {
        const variants = variantsOf(splitterFor(weights, { layout }), KEYS)
        const total = weights.reduce((a, b) => a + b, 0)
        const counts = weights.map((_, index) => variants.filter((variant) => variant === `v${index}`).length)
        counts.forEach((count, index) => expectWithinThreeSigma(count, KEYS.length, weights[index]! / total, `v${index}`))
        expect(sampleRatioMismatch(counts, weights).mismatch).toBe(false)
      },
    )

  it('random weight sets keep their shares (fast-check, 20,000 keys each)', () => {
    const keys = KEYS.slice(0, 20_000)
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 6 }),
        fc.constantFrom(...LAYOUTS),
        (weights, layout) => {
          const variants = variantsOf(splitterFor(weights, { layout }), keys)
          const counts = weights.map((_, index) => variants.filter((variant) => variant === `v${index}`).length)
          expect(sampleRatioMismatch(counts, weights).pValue).toBeGreaterThan(1e-4)
        },
      ),
      { numRuns: 30 },
    )
  })
})

describe('guarantee 3: monotone ramps', () => {
  const steps = [1, 5, 25, 50, 100]
  for (const layout of LAYOUTS)
    it(`${layout}: raising a canary 1 -> 5 -> 25 -> 50 -> 100 never moves a unit out, and moves the change in share`, () => {
      let previous = variantsOf(splitterFor([100 - steps[0]!, steps[0]!], { layout, names: ['stable', 'canary'] }), KEYS)
      for (let step = 1; step < steps.length; step++) {
        const current = variantsOf(splitterFor([100 - steps[step]!, steps[step]!], { layout, names: ['stable', 'canary'] }), KEYS)
        let moved = 0
        previous.forEach((before, index) => {
          if (before === 'canary') expect(current[index]).toBe('canary')
          else if (current[index] === 'canary') moved++
        })
        expectWithinThreeSigma(moved, KEYS.length, (steps[step]! - steps[step - 1]!) / 100, `moved at ${steps[step]}%`)
        previous = current
      }
    })
})

describe('stable layout: changing one weight moves units only into or out of that variant', () => {
  const keys = KEYS.slice(0, 5000)
  it('for 3-5 variants and any single weight change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 1000 }),
        (weights, pick, newWeight) => {
          const changed = pick % weights.length
          const next = weights.map((weight, index) => (index === changed ? newWeight : weight))
          fc.pre(weights.some((w) => w > 0) && next.some((w) => w > 0))
          const before = variantsOf(splitterFor(weights), keys)
          const after = variantsOf(splitterFor(next), keys)
          const target = `v${changed}`
          before.forEach((variant, index) => {
            const now = after[index]!
            if (variant === now) return
            if (newWeight > weights[changed]!) expect(now).toBe(target)
            else expect(variant).toBe(target)
          })
        },
      ),
      { numRuns: 60 },
    )
  })

  it('adding a variant moves only the units it takes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.nat(),
        (weights, added, position) => {
          const at = position % (weights.length + 1)
          const names = weights.map((_, index) => `v${index}`)
          const nextWeights = [...weights.slice(0, at), added, ...weights.slice(at)]
          const nextNames = [...names.slice(0, at), 'newcomer', ...names.slice(at)]
          const before = variantsOf(splitterFor(weights, { names }), keys)
          const after = variantsOf(splitterFor(nextWeights, { names: nextNames }), keys)
          let taken = 0
          before.forEach((variant, index) => {
            if (after[index] !== variant) {
              expect(after[index]).toBe('newcomer')
              taken++
            }
          })
          expect(taken).toBe(after.filter((variant) => variant === 'newcomer').length)
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('guarantee 4: monotone exposure', () => {
  const keys = KEYS.slice(0, 5000)
  it('raising exposure only adds units, and units already in keep their variant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(...LAYOUTS),
        (a, b, layout) => {
          const [low, high] = [Math.min(a, b) / 10_000, Math.max(a, b) / 10_000]
          const lower = splitterFor([10, 10, 80], { exposure: low, layout })
          const higher = splitterFor([10, 10, 80], { exposure: high, layout })
          for (const key of keys) {
            const before = lower.assign('e', { key })
            if (!before.inExperiment) continue
            const after = higher.assign('e', { key })
            expect(after.inExperiment).toBe(true)
            expect(after.variant).toBe(before.variant)
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it('the exposed share is within 3 sd of the exposure', () => {
    for (const exposure of [0.01, 1, 12.5, 50, 99]) {
      const splitter = splitterFor([50, 50], { exposure })
      const inside = KEYS.filter((key) => splitter.assign('e', { key }).inExperiment).length
      expectWithinThreeSigma(inside, KEYS.length, exposure / 100, `exposure ${exposure}%`)
    }
  })
})

describe('guarantee 5: experiments with different salts are independent', () => {
  function independencePValue(saltA: string, saltB: string): number {
    const a = variantsOf(splitterFor([30, 70], { salt: saltA }), KEYS)
    const b = variantsOf(splitterFor([20, 30, 50], { salt: saltB }), KEYS)
    const table = [0, 1].map(() => [0, 0, 0])
    a.forEach((variant, index) => table[Number(variant.slice(1))]![Number(b[index]!.slice(1))]!++)
    const rows = table.map((row) => row.reduce((x, y) => x + y, 0))
    const columns = [0, 1, 2].map((column) => table[0]![column]! + table[1]![column]!)
    let statistic = 0
    table.forEach((row, i) =>
      row.forEach((observed, j) => {
        const expected = (rows[i]! * columns[j]!) / KEYS.length
        statistic += (observed - expected) ** 2 / expected
      }),
    )
    return chiSquarePValue(statistic, 2)
  }

  it('the joint table of two salted experiments passes a chi-square test of independence', () => {
    expect(independencePValue('checkout', 'pricing')).toBeGreaterThan(0.001)
    expect(independencePValue('a', 'b')).toBeGreaterThan(0.001)
  })

  it('the test has power: a shared salt is detected as dependent', () => {
    expect(independencePValue('same', 'same')).toBeLessThan(1e-10)
  })
})

describe('guarantee 6: an invalid update changes nothing', () => {
  it('every assignment is unchanged after a rejected update', () => {
    const splitter = splitterFor([10, 10, 80])
    const keys = KEYS.slice(0, 10_000)
    const before = keys.map((key) => splitter.assign('e', { key }))
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.constant({ version: 1, experiments: { e: { variants: [{ name: 'x', weight: -1 }] } } })),
        (bad) => {
          const result = splitter.update(bad as never)
          fc.pre(!result.ok)
        },
      ),
      { numRuns: 200 },
    )
    expect(keys.map((key) => splitter.assign('e', { key }))).toEqual(before)
  })
})
