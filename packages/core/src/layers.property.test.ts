import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { otelReason } from './reasons.js'
import { createSplitter } from './splitter.js'
import type { ExperimentConfig, SplitlaneConfig } from './types.js'

const KEYS = Array.from({ length: 100_000 }, (_, i) => `unit-${i}`)
const twoArms = (layer: ExperimentConfig['layer']): ExperimentConfig => ({ variants: [{ name: 'control' }, { name: 'treatment' }], layer })

function layered(slices: Record<string, [number, number] | [number, number][]>, holdout?: number): SplitlaneConfig {
  return {
    version: 1,
    holdout,
    layers: { checkout: {} },
    experiments: {
      ...Object.fromEntries(Object.entries(slices).map(([name, slice]) => [name, twoArms({ name: 'checkout', slice })])),
      outside: { variants: [{ name: 'off' }, { name: 'on' }] },
    },
  }
}

/** For each key, the experiment of the layer it is in ('' for none). */
function membership(config: SplitlaneConfig, keys: readonly string[] = KEYS): string[] {
  const splitter = createSplitter({ config })
  const names = Object.keys(config.experiments).filter((name) => config.experiments[name]!.layer !== undefined)
  return keys.map((key) => {
    const inside = names.filter((name) => splitter.assign(name, { key }).reason !== 'outside_layer')
    if (inside.length > 1) throw new Error(`${key} is in ${inside.join(' and ')}`)
    return inside[0] ?? ''
  })
}

const within3Sd = (count: number, n: number, p: number) => Math.abs(count - n * p) <= 3 * Math.sqrt(n * p * (1 - p))

describe('layers', () => {
  it('a unit is in at most one experiment of a layer (100,000 keys), and each slice holds its share within 3 sd', () => {
    const config = layered({
      a: [0, 20],
      b: [20, 50],
      c: [
        [70, 80],
        [90, 100],
      ],
    })
    const members = membership(config)
    const share = { a: 0.2, b: 0.3, c: 0.2, '': 0.3 }
    for (const [name, p] of Object.entries(share)) {
      const count = members.filter((member) => member === name).length
      expect(within3Sd(count, KEYS.length, p), `${name}: ${count}`).toBe(true)
    }
  })

  it('outside its slice a unit gets control, outside analysis, as the OpenTelemetry default', () => {
    const splitter = createSplitter({ config: layered({ a: [0, 20], b: [20, 50] }) })
    const assignment = KEYS.map((key) => splitter.assign('a', { key })).find((a) => a.reason === 'outside_layer')!
    expect(assignment).toMatchObject({ variant: 'control', inExperiment: false })
    expect(otelReason(assignment.reason)).toBe('default')
    expect(splitter.explain(assignment)).toMatch(/in layer "checkout", outside this experiment's slice \[0%, 20%\)/)
  })

  it('inside a slice, the variants split as configured (the layer hash is independent of the variant hash)', () => {
    const splitter = createSplitter({ config: layered({ a: [0, 30] }) })
    const inside = KEYS.map((key) => splitter.assign('a', { key })).filter((a) => a.inExperiment)
    const treated = inside.filter((a) => a.variant === 'treatment').length
    expect(within3Sd(treated, inside.length, 0.5)).toBe(true)
  })

  it('resizing one slice moves only units into or out of that slice (fast-check over slice layouts)', () => {
    const keys = KEYS.slice(0, 20_000)
    // three slices at fixed starts with room to grow: [0, a), [40, 40 + b), [75, 75 + c)
    const size = (max: number) => fc.integer({ min: 1, max: max * 100 }).map((n) => n / 100)
    fc.assert(
      fc.property(size(40), size(35), size(25), size(35), (a, b, c, resized) => {
        const before = membership(layered({ a: [0, a], b: [40, 40 + b], c: [75, 75 + c] }), keys)
        const after = membership(layered({ a: [0, a], b: [40, 40 + resized], c: [75, 75 + c] }), keys)
        let moved = 0
        for (let i = 0; i < keys.length; i++) {
          if (before[i] === after[i]) continue
          moved++
          // only b changes, and only between b and no experiment
          expect([before[i], after[i]].sort()).toEqual(['', 'b'])
          expect(after[i]).toBe(resized > b ? 'b' : '')
        }
        const p = Math.abs(resized - b) / 100
        if (p > 0) expect(within3Sd(moved, keys.length, p)).toBe(true)
      }),
      { numRuns: 12 },
    )
  })

  it('an experiment alone in a layer takes the whole layer by default', () => {
    const splitter = createSplitter({ config: { version: 1, layers: { l: {} }, experiments: { a: twoArms('l') } } })
    expect(KEYS.slice(0, 2000).every((key) => splitter.assign('a', { key }).inExperiment)).toBe(true)
  })

  it('rejects overlapping slices, unknown layers, random mode and differing bucketBy, with paths', () => {
    expect(() => createSplitter({ config: layered({ a: [0, 30], b: [25, 50] }) })).toThrow(
      'experiments.b.layer: slice [25, 50) overlaps [0, 30) of "a" in layer "checkout"',
    )
    expect(() => createSplitter({ config: { version: 1, experiments: { a: twoArms('nope') } } })).toThrow(
      'experiments.a.layer: no layer named "nope" in the top-level layers',
    )
    expect(() =>
      createSplitter({
        config: { version: 1, layers: { l: {} }, experiments: { a: { ...twoArms('l'), mode: 'random' } } },
        random: () => 0.5,
      }),
    ).toThrow('experiments.a.mode: an experiment in a layer must be sticky')
    expect(() =>
      createSplitter({
        config: {
          version: 1,
          layers: { l: {} },
          experiments: { a: twoArms({ name: 'l', slice: [0, 10] }), b: { ...twoArms({ name: 'l', slice: [10, 20] }), bucketBy: 'userId' } },
        },
      }),
    ).toThrow('experiments.b.bucketBy: experiments in layer "l" must use the same bucketBy')
    expect(() => createSplitter({ config: layered({ a: [30, 30] }) })).toThrow(
      'experiments.a.layer.slice: expected a slice [start, end] with start < end',
    )
  })
})

describe('holdout', () => {
  const config = (holdout: number | { percent: number; salt: string }): SplitlaneConfig => ({
    version: 1,
    holdout,
    experiments: {
      a: { variants: [{ name: 'control' }, { name: 'treatment' }] },
      b: { variants: [{ name: 'old' }, { name: 'new', weight: 3 }], control: 'old' },
    },
  })

  const heldOut = (holdout: number | { percent: number; salt: string }, keys: readonly string[] = KEYS) => {
    const splitter = createSplitter({ config: config(holdout) })
    return keys.map((key) => {
      const a = splitter.assign('a', { key })
      const b = splitter.assign('b', { key })
      if ((a.reason === 'holdout') !== (b.reason === 'holdout')) throw new Error(`${key}: held out of one experiment only`)
      return a.reason === 'holdout'
    })
  }

  it('holds out its share within 3 sd; held-out units get control in every experiment, outside analysis', () => {
    const held = heldOut(7.5)
    expect(within3Sd(held.filter(Boolean).length, KEYS.length, 0.075)).toBe(true)
    const splitter = createSplitter({ config: config(7.5) })
    const key = KEYS[held.indexOf(true)]!
    expect(splitter.assign('a', { key })).toMatchObject({ variant: 'control', reason: 'holdout', inExperiment: false })
    expect(splitter.assign('b', { key })).toMatchObject({ variant: 'old', reason: 'holdout', inExperiment: false })
    expect(splitter.variantOf('b', key)).toBe('old')
    expect(splitter.explain(splitter.assign('a', { key }))).toMatch(/is in the holdout \(its holdout draw 0\.\d+ is below 7\.5%\)/)
  })

  it('raising the holdout only adds units, and moves the change in share (monotone)', () => {
    const keys = KEYS.slice(0, 30_000)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), (x, y) => {
        const [low, high] = [Math.min(x, y) / 100, Math.max(x, y) / 100]
        const before = heldOut(low, keys)
        const after = heldOut(high, keys)
        let added = 0
        for (let i = 0; i < keys.length; i++) {
          if (before[i] && !after[i]) throw new Error(`${keys[i]} left the holdout when it grew`)
          if (!before[i] && after[i]) added++
        }
        const p = (high - low) / 100
        if (p > 0) expect(within3Sd(added, keys.length, p)).toBe(true)
      }),
      { numRuns: 10 },
    )
  })

  it('units outside the holdout keep the variant they had without it, so the experiments are unchanged for them', () => {
    const without = createSplitter({ config: config(0) })
    const withHoldout = createSplitter({ config: config(10) })
    for (const key of KEYS.slice(0, 5000)) {
      const assignment = withHoldout.assign('b', { key })
      if (assignment.reason !== 'holdout') expect(assignment.variant).toBe(without.assign('b', { key }).variant)
    }
  })

  it('a new salt draws a new holdout', () => {
    const keys = KEYS.slice(0, 20_000)
    const first = heldOut({ percent: 10, salt: 'h-2026q3' }, keys)
    const second = heldOut({ percent: 10, salt: 'h-2026q4' }, keys)
    const both = first.filter((held, i) => held && second[i]).length
    expect(within3Sd(both, keys.length, 0.01)).toBe(true)
  })
})
