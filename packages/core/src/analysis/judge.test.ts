import { describe, expect, it } from 'vitest'
import { classifyMetric, judgeCanary, scoreGroups } from './judge.js'
import { twoProportionTest } from './proportion.js'
import type { ContinuousMetricSpec } from './types.js'

const baseline = Array.from({ length: 20 }, (_, i) => 100 + i)
const higher = baseline.map((value) => value + 15)
const lower = baseline.map((value) => value - 15)
const similar = baseline.map((value, i) => value + (i % 2 === 0 ? 0.5 : -0.5))
const metric = (name: string, canary: number[], extra: Partial<ContinuousMetricSpec> = {}): ContinuousMetricSpec => ({
  name,
  canary,
  baseline,
  ...extra,
})

describe('classifyMetric (Mann-Whitney)', () => {
  it('classifies High, Low and Pass with the direction', () => {
    expect(classifyMetric(metric('m', higher)).class).toBe('High')
    expect(classifyMetric(metric('m', lower)).class).toBe('Low')
    expect(classifyMetric(metric('m', similar)).class).toBe('Pass')
    expect(classifyMetric(metric('m', higher, { direction: 'decrease' })).class).toBe('Pass')
    expect(classifyMetric(metric('m', lower, { direction: 'increase' })).class).toBe('Pass')
    expect(classifyMetric(metric('m', lower, { direction: 'decrease' })).class).toBe('Low')
  })

  it('reports samples, statistic, interval, estimate and effect size', () => {
    const result = classifyMetric(metric('latency', higher))
    expect(result.canary).toEqual({ count: 20, mean: 124.5 })
    expect(result.baseline).toEqual({ count: 20, mean: 109.5 })
    expect(result.test).toBe('mann-whitney')
    expect(result.statistic!.u).toBeGreaterThan(300)
    expect(result.estimate).toBe(15)
    expect(result.interval!.lower).toBeGreaterThan(0.25 * 15)
    expect(result.interval!.confidenceLevel).toBe(0.98)
    expect(result.effectSize).toBeCloseTo(124.5 / 109.5, 12)
    expect(result.reason).toBe(
      'higher: the 98% CI of the shift (10, 20) clears ±3.75 (tolerance × |estimate|), mean ratio 1.137 >= allowed 1',
    )
    expect([result.interval!.lower, result.interval!.upper]).toEqual([10, 20])
  })

  it('an increase below the allowed effect size passes; beyond the critical one it forces a failure', () => {
    expect(classifyMetric(metric('m', higher, { allowedIncrease: 1.2 })).class).toBe('Pass')
    const beyond = classifyMetric(metric('m', higher, { criticalIncrease: 1.1 }))
    expect([beyond.class, beyond.criticalFailure]).toEqual(['High', true])
    expect(classifyMetric(metric('m', higher, { criticalIncrease: 1.5 })).criticalFailure).toBe(false)
  })

  it('ignores shifts within the tolerance of the estimate', () => {
    // A small, consistent shift: significant, but a tolerance of 1.5 × |estimate| swallows it.
    const shifted = baseline.map((value) => value + 10)
    expect(classifyMetric(metric('m', shifted)).class).toBe('High')
    expect(classifyMetric(metric('m', shifted, { tolerance: 1.5 })).class).toBe('Pass')
  })

  it('Nodata, identical samples and NaN handling', () => {
    expect(classifyMetric(metric('m', [])).class).toBe('Nodata')
    expect(classifyMetric({ name: 'm', canary: [1], baseline: [NaN] }).class).toBe('Nodata')
    const identical = classifyMetric(metric('m', [...baseline].reverse()))
    expect([identical.class, identical.effectSize, identical.reason]).toEqual(['Pass', 1, 'canary and baseline samples are identical'])
    const removed = classifyMetric(metric('m', [...higher, NaN, NaN]))
    expect(removed.removed.nan).toBe(2)
    expect(removed.canary.count).toBe(20)
    const replaced = classifyMetric(metric('m', [...higher, NaN], { nanStrategy: 'replace' }))
    expect(replaced.canary.count).toBe(21)
    expect(replaced.canary.mean).toBeCloseTo((124.5 * 20) / 21, 12)
  })

  it('removes outliers beyond the interquartile fence when asked', () => {
    const spiky = [...similar.slice(0, 19), 1e6]
    expect(classifyMetric(metric('m', spiky)).effectSize).toBeGreaterThan(400)
    const cleaned = classifyMetric(metric('m', spiky, { outliers: 'remove' }))
    expect(cleaned.removed.outliers).toBe(1)
    expect(cleaned.canary.count).toBe(19)
    expect(cleaned.class).toBe('Pass')
  })
})

describe('classifyMetric (two proportions)', () => {
  it('flags a tripled error rate and passes an equal one', () => {
    const tripled = classifyMetric({
      name: 'errors',
      kind: 'proportion',
      canary: { events: 60, total: 2000 },
      baseline: { events: 200, total: 20000 },
    })
    expect(tripled.class).toBe('High')
    expect(tripled.effectSize).toBeCloseTo(3, 12)
    expect(tripled.reason).toContain('60/2000 (3%) vs 200/20000 (1%)')
    const equal = classifyMetric({
      name: 'errors',
      kind: 'proportion',
      canary: { events: 21, total: 2000 },
      baseline: { events: 200, total: 20000 },
    })
    expect(equal.class).toBe('Pass')
    expect(
      classifyMetric({ name: 'errors', kind: 'proportion', canary: { events: 0, total: 0 }, baseline: { events: 1, total: 9 } }).class,
    ).toBe('Nodata')
  })

  it('matches the textbook pooled z (Agresti): 60/2000 vs 200/20000', () => {
    const test = twoProportionTest({ events: 60, total: 2000 }, { events: 200, total: 20000 }, 0.95)!
    const pooled = 260 / 22000
    const z = 0.02 / Math.sqrt(pooled * (1 - pooled) * (1 / 2000 + 1 / 20000))
    expect(test.z).toBeCloseTo(z, 12)
    expect(test.significant).toBe('higher')
    expect(test.test).toBe('z')
  })

  it('gives Newcombe 1998 example (a): 56/70 vs 48/80, 95% hybrid score interval (0.0524, 0.3339)', () => {
    const test = twoProportionTest({ events: 56, total: 70 }, { events: 48, total: 80 }, 0.95)!
    expect(test.difference).toBeCloseTo(0.2, 12)
    expect(test.lower).toBeCloseTo(0.0524, 4)
    expect(test.upper).toBeCloseTo(0.3339, 4)
  })

  it("uses Fisher's exact test with few expected events: the tea-tasting table, and 3/10 vs 0/700", () => {
    const tea = twoProportionTest({ events: 3, total: 4 }, { events: 1, total: 4 })!
    expect(tea.test).toBe('fisher-exact')
    expect(tea.pValue).toBeCloseTo(34 / 70, 12)
    expect(tea.significant).toBe(false)
    // only the observed table (all 3 errors on the canary) is as unlikely as itself: C(10,3) / C(710,3)
    const few = twoProportionTest({ events: 3, total: 10 }, { events: 0, total: 700 }, 0.98)!
    expect(few.test).toBe('fisher-exact')
    expect(few.pValue).toBeCloseTo(120 / ((710 * 709 * 708) / 6), 15)
    expect(few.significant).toBe('higher')
    expect(few.lower).toBeGreaterThan(0)
    expect(few.upper).toBeLessThan(1)
  })

  it('keeps the interval inside [-1, 1] and consistent with the test at the extremes', () => {
    for (const [a, b] of [
      [
        { events: 0, total: 5 },
        { events: 5, total: 5 },
      ],
      [
        { events: 1, total: 1 },
        { events: 0, total: 1 },
      ],
      [
        { events: 0, total: 1000 },
        { events: 0, total: 1000 },
      ],
    ] as const) {
      const test = twoProportionTest(a, b)!
      expect(test.lower).toBeGreaterThanOrEqual(-1)
      expect(test.upper).toBeLessThanOrEqual(1)
      expect(test.lower).toBeLessThanOrEqual(test.difference)
      expect(test.upper).toBeGreaterThanOrEqual(test.difference)
    }
  })
})

const highMetric = classifyMetric(metric('a', higher))
const lowMetric = classifyMetric(metric('b', lower))
const passMetric = classifyMetric(metric('c', similar))

describe('scoring (Kayenta WeightedSumScorer)', () => {
  const high = classifyMetric(metric('a', higher, { groups: ['g1'] }))
  const low = classifyMetric(metric('b', lower, { groups: ['g1'] }))
  const pass = classifyMetric(metric('c', similar, { groups: ['g1'] }))
  const high2 = classifyMetric(metric('d', higher, { groups: ['g2'] }))

  it('weights 15/85 with group 1 = High, Low, Pass and group 2 = High give 5.0', () => {
    const { score, groups } = scoreGroups([high, low, pass, high2], { g1: 15, g2: 85 })
    expect(score).toBeCloseTo(5, 12)
    expect(groups.map((group) => group.name)).toEqual(['g1', 'g2'])
    expect(groups[0]!.score).toBeCloseTo(100 / 3, 12)
    expect(groups[1]!.score).toBe(0)
  })

  it('groups without a weight share what is left of 100', () => {
    const { groups } = scoreGroups([high, low, pass, high2], { g1: 40 })
    expect(groups.find((group) => group.name === 'g2')!.weight).toBe(60)
  })

  it('maps the score onto Pass / Marginal / Fail, and a critical metric forces 0', () => {
    const specs = [
      metric('a', similar, { groups: ['g1'] }),
      metric('b', similar, { groups: ['g1'] }),
      metric('c', similar, { groups: ['g1'] }),
      metric('d', higher, { groups: ['g2'] }),
    ]
    const options = { groupWeights: { g1: 80, g2: 20 } }
    expect(judgeCanary(specs, options)).toMatchObject({ score: 80, verdict: 'Marginal' })
    expect(judgeCanary(specs, { ...options, marginalThreshold: 85 }).verdict).toBe('Fail')
    expect(judgeCanary(specs, { ...options, passThreshold: 80 }).verdict).toBe('Pass')
    const critical = judgeCanary([...specs.slice(0, 3), { ...specs[3]!, critical: true }], options)
    expect(critical).toMatchObject({ score: 0, verdict: 'Fail' })
    expect(critical.reason).toBe('critical failure: d High forces the score to 0')
  })

  it('Nodata when nothing had data; a required metric without data fails its group', () => {
    expect(judgeCanary([metric('a', [])]).verdict).toBe('Nodata')
    const result = judgeCanary([metric('a', similar), metric('b', [], { required: true })])
    expect(result.score).toBe(50)
    expect(result.verdict).toBe('Fail')
  })

  it('explains every metric and the verdict', () => {
    const result = judgeCanary([
      metric('latency', higher),
      { name: 'errors', kind: 'proportion', canary: { events: 1, total: 100 }, baseline: { events: 10, total: 1000 } },
    ])
    expect(result.explanation).toHaveLength(3)
    expect(result.explanation[0]).toMatch(
      /^latency: High: higher: .*\[canary n=20 mean 124.5, baseline n=20 mean 109.5; U = [\d.]+, z = [\d.]+, p = .*; 98% CI \(.*\), estimate 15; effect size 1.137\]$/,
    )
    expect(result.explanation[1]).toMatch(/^errors: Pass: no significant change/)
    expect(result.explanation[2]).toBe('verdict Fail: score 50 < marginal 75; groups: default 50 (weight 100)')
  })
})

// Kayenta's behaviour, from spinnaker/kayenta kayenta-judge: scorers/WeightedSumScorer.scala,
// classifiers/metric/MannWhitneyClassifier.scala and the ScorerSuite tests named below.
describe('matches Kayenta where the judge used to differ', () => {
  it('a critical metric without data forces the score to 0 (MannWhitneyClassifier: critical Nodata is critical)', () => {
    // ScorerSuite "Two Metrics, one good (normal), one nodata (critical)" -> 0; here with two more
    // passing metrics, so the 50% Nodata rule is not what decides.
    const result = judgeCanary([metric('a', similar), metric('b', similar), metric('c', [], { critical: true })])
    expect(result).toMatchObject({ score: 0, verdict: 'Fail', reason: 'critical failure: c Nodata forces the score to 0' })
    // An empty canary on the default (critical) error rate.
    const empty = judgeCanary([
      { name: 'error-rate', kind: 'proportion', critical: true, canary: { events: 0, total: 0 }, baseline: { events: 3, total: 900 } },
      metric('latency', similar),
      metric('cpu', similar),
    ])
    expect(empty).toMatchObject({ score: 0, verdict: 'Fail' })
  })

  it('50% or more of the metrics without data score 0 (WeightedSumScorer.tooManyNodata, NODATA_THRESHOLD = 50)', () => {
    const half = judgeCanary([metric('a', similar, { groups: ['g1'] }), metric('b', [], { groups: ['g2'] })])
    expect(half.score).toBe(0)
    // Kayenta classifies that score as Fail; splitlane says Nodata, which a rollout counts as inconclusive.
    expect(half.verdict).toBe('Nodata')
    expect(half.reason).toBe('50% or more of the metrics had no data (1 of 2: b), so the score is 0')
    // ScorerSuite "Two Groups, one Pass, one Nodata": one Nodata metric in three, and its group counts as 100.
    const third = judgeCanary([
      metric('a', similar, { groups: ['p'] }),
      metric('b', similar, { groups: ['p'] }),
      metric('c', [], { groups: ['n'] }),
    ])
    expect(third).toMatchObject({ score: 100, verdict: 'Pass' })
  })

  it('does not renormalize group weights that do not sum to 100 (WeightedSumScorer.calculateSummaryScore)', () => {
    const specs = [metric('a', similar, { groups: ['g1'] }), metric('b', similar, { groups: ['g2'] })]
    const result = judgeCanary(specs, { groupWeights: { g1: 30, g2: 30 } })
    expect(result).toMatchObject({ score: 60, verdict: 'Fail' })
    expect(result.reason).toBe('score 60 < marginal 75 (group weights sum to 60, not 100; not renormalized)')
    // ScorerSuite "Two Groups, Three Metrics (Equal Weight), one NoData": g1 = Pass, Nodata; g2 = High -> 50.
    const kayenta = scoreGroups(
      [
        classifyMetric(metric('p', similar, { groups: ['group-1'] })),
        classifyMetric(metric('n', [], { groups: ['group-1'] })),
        classifyMetric(metric('h', higher, { groups: ['group-2'] })),
      ],
      { 'group-1': 50, 'group-2': 50 },
    )
    expect(kayenta.score).toBe(50)
    // A weight naming a group without metrics still takes its share (Kayenta sums every configured weight).
    expect(judgeCanary(specs, { groupWeights: { g1: 50, absent: 30 } }).score).toBe(70)
  })

  it('a judgement with only Nodata scores 0, not null (WeightedSumScorer: 100% Nodata >= 50%)', () => {
    const result = judgeCanary([metric('a', []), metric('b', [])])
    expect(result.score).toBe(0)
    expect(result.verdict).toBe('Nodata')
    expect(scoreGroups(result.metrics).score).toBeNull() // the group sum alone has nothing to add up
  })

  it('rounds the summary score to 2 decimals, as Kayenta (ScorerSuite "One Group, Three Metrics" -> 33.33)', () => {
    const { score } = scoreGroups([highMetric, lowMetric, passMetric])
    expect(score).toBe(33.33)
  })
})
