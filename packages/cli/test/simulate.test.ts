import { sampleRatioMismatch } from '@splitlane/core/analysis'
import { beforeAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { ANSI, example, tempFiles } from './files.js'

interface Shares {
  units: number
  split: number
  variants: { name: string; weight: number; expectedShare: number; count: number; share: number }[]
  notSplit: Record<string, number>
  srm: { chiSquare: number; pValue: number; mismatch: boolean } | null
}
interface Movement {
  moved: number
  movedShare: number
  matrix: Record<string, Record<string, number>>
  moves: { from: string; to: string; count: number; share: number }[]
}
interface Report {
  users: number
  experiments: Record<string, Shares>
  movement?: Record<string, Movement>
  added?: string[]
  removed?: string[]
}

let write: (name: string, text: string) => Promise<string>
beforeAll(async () => {
  ;({ write } = await tempFiles())
})

const threeArms = (canary: number) =>
  JSON.stringify({
    version: 1,
    experiments: {
      checkout: {
        variants: [
          { name: 'a', weight: 50 },
          { name: 'b', weight: 45 },
          { name: 'canary', weight: canary },
        ],
      },
    },
  })

async function simulate(...args: string[]): Promise<Report> {
  const result = await splitlane(['simulate', ...args, '--json'])
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as Report
}

const countsOf = (shares: Shares) => Object.fromEntries(shares.variants.map((variant) => [variant.name, variant.count]))

describe('splitlane simulate', () => {
  it('counts every unit once and reports the sample-ratio test core computes for those counts', async () => {
    const report = await simulate(example('splitlane.yaml'), '--users', '20000', '--seed', '3')
    expect(report.users).toBe(20_000)
    for (const [name, shares] of Object.entries(report.experiments)) {
      expect(shares.split, name).toBe(20_000)
      expect(shares.variants.reduce((sum, variant) => sum + variant.count, 0)).toBe(20_000)
      const srm = sampleRatioMismatch(
        shares.variants.map((variant) => variant.count),
        shares.variants.map((variant) => variant.weight),
      )
      expect(shares.srm).toMatchObject({ chiSquare: srm.chiSquare, pValue: srm.pValue, mismatch: false })
      for (const variant of shares.variants) expect(variant.share).toBe(variant.count / 20_000)
    }
    expect(report.experiments.checkout!.variants.map((variant) => variant.expectedShare)).toEqual([0.95, 0.05])
  })

  it('is deterministic for a seed and differs between seeds', async () => {
    const first = await simulate(example('splitlane.yaml'), '--users', '5000', '--seed', '1')
    const again = await simulate(example('splitlane.yaml'), '--users', '5000', '--seed', '1')
    const other = await simulate(example('splitlane.yaml'), '--users', '5000', '--seed', '2')
    expect(again.experiments).toEqual(first.experiments)
    expect(countsOf(other.experiments.pricing!)).not.toEqual(countsOf(first.experiments.pricing!))
  })

  it('a 5% -> 25% ramp moves exactly the units the canary gains, only into the canary', async () => {
    const before = await simulate(example('splitlane.yaml'), '--users', '20000')
    const after = await simulate(example('splitlane.25.yaml'), '--users', '20000')
    const ramp = await simulate(example('splitlane.yaml'), '--users', '20000', '--against', example('splitlane.25.yaml'))
    const gained = countsOf(after.experiments.checkout!).canary! - countsOf(before.experiments.checkout!).canary!
    const checkout = ramp.movement!.checkout!
    expect(checkout.matrix.canary!.stable).toBe(0)
    expect(checkout.matrix.stable!.canary).toBe(gained)
    expect(checkout.moved).toBe(gained)
    expect(checkout.moves).toEqual([{ from: 'stable', to: 'canary', count: gained, share: gained / 20_000 }])
    // 20% of the units are expected to move; 3 binomial standard deviations of slack.
    expect(Math.abs(checkout.movedShare - 0.2)).toBeLessThan(3 * Math.sqrt((0.2 * 0.8) / 20_000))
    // The untouched experiment moves nobody.
    expect(ramp.movement!.pricing!.moved).toBe(0)
    expect(ramp.added).toEqual([])
    expect(ramp.removed).toEqual([])
  })

  it('raising one of three arms moves units only into it, none between the unchanged arms', async () => {
    const from = await write('three-5.json', threeArms(5))
    const to = await write('three-25.json', threeArms(25))
    const before = countsOf((await simulate(from, '--users', '20000')).experiments.checkout!)
    const after = countsOf((await simulate(to, '--users', '20000')).experiments.checkout!)
    const { matrix, moved } = (await simulate(from, '--users', '20000', '--against', to)).movement!.checkout!
    expect(matrix.a!.b).toBe(0)
    expect(matrix.b!.a).toBe(0)
    expect(matrix.canary).toEqual({ a: 0, b: 0, canary: before.canary })
    expect(matrix.a!.canary).toBe(before.a! - after.a!)
    expect(matrix.b!.canary).toBe(before.b! - after.b!)
    expect(moved).toBe(after.canary! - before.canary!)
  })

  it('reports experiments added and removed, and prints the movement as a table', async () => {
    const other = await write(
      'other.yaml',
      'version: 1\nexperiments:\n  checkout:\n    variants: [{ name: stable, weight: 0 }, { name: canary, weight: 1 }]\n  search:\n    variants: [{ name: a }]\n',
    )
    const report = await simulate(example('splitlane.yaml'), '--users', '1000', '--against', other)
    expect(report.added).toEqual(['search'])
    expect(report.removed).toEqual(['pricing'])
    const stable = report.experiments.checkout!.variants[0]!.count
    expect(report.movement!.checkout).toMatchObject({ moved: stable, matrix: { stable: { stable: 0, canary: stable } } })
    const text = await splitlane(['simulate', example('splitlane.yaml'), '--users', '1000', '--against', other])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`checkout: ${stable} of 1000 units (${((stable / 1000) * 100).toFixed(2)}%) change variant\n`)
    expect(text.stdout).toMatch(/from \\ to +stable +canary\n/)
    expect(text.stdout).toContain('added experiments: search')
    expect(text.stdout).toContain('removed experiments: pricing')
    expect(text.stdout).not.toMatch(ANSI)
  })

  it('prints observed against configured shares with the sample-ratio p-value', async () => {
    const result = await splitlane(['simulate', example('splitlane.yaml'), '--users', '2000'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^2000 synthetic units \(keys sim-0-0 \.\.\.\) in /)
    expect(result.stdout).toMatch(/checkout: 2000 of 2000 units split\nvariant +weight +configured +units +observed +diff \(pts\)\n/)
    expect(result.stdout).toMatch(/sample ratio: chi-square \d+\.\d\d, df 2, p = \d\.\d{4} ok/)
  })

  it('skips the sample-ratio test when an arm expects fewer than 5 units, and exits 2 for bad options', async () => {
    const skewed = await write(
      'skewed.json',
      JSON.stringify({
        version: 1,
        experiments: {
          e: {
            variants: [
              { name: 'a', weight: 1_000_000 },
              { name: 'b', weight: 100 },
            ],
          },
        },
      }),
    )
    // 20,000 units expect 2 in b: too few for the chi-square approximation; 100,000 expect 10.
    expect((await simulate(skewed, '--users', '20000')).experiments.e!.srm).toBeNull()
    expect((await simulate(skewed, '--users', '100000')).experiments.e!.srm).toMatchObject({ mismatch: false })
    const text = await splitlane(['simulate', skewed, '--users', '20000'])
    expect(text.stdout).toContain('sample ratio: not tested (fewer than 5 units expected in an arm; raise --users)')
    expect((await splitlane(['simulate', example('splitlane.yaml'), '--users', '0'])).code).toBe(2)
    expect((await splitlane(['simulate', example('splitlane.yaml'), '--users', 'many'])).stderr).toContain('--users expects an integer')
    expect((await splitlane(['simulate', example('broken.yaml')])).code).toBe(2)
  })
})
