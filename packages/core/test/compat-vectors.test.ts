// Replays the published bucketing test vectors of flagd, Unleash, Optimizely and GrowthBook
// (copied into compat-vectors/<system>.json, each with its source) through splitlane's
// compatibility layouts, and counts them: every applicable vector must pass.
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { chooseVariation, growthbookHash, growthbookPosition, growthbookRanges } from '../src/compat/growthbook.js'
import { createSplitter, safeParseConfig, type Assignment, type ExperimentConfig, type JsonValue } from '../src/index.js'

const load = <T>(system: string): T => JSON.parse(readFileSync(new URL(`./compat-vectors/${system}.json`, import.meta.url), 'utf8')) as T

const passed: Record<string, number> = {}
afterAll(() => {
  const total = Object.values(passed).reduce((sum, count) => sum + count, 0)
  console.log(
    `compat vectors passed: ${Object.entries(passed)
      .map(([system, count]) => `${system} ${count}`)
      .join(', ')} (${total} in all)`,
  )
})

/** Runs each check, collecting the ones that fail (so one run names them all) and counting the rest. */
function replay<T>(system: string, vectors: readonly T[], check: (vector: T) => string | null): void {
  const failures = vectors.flatMap((vector) => {
    const problem = check(vector)
    return problem === null ? [] : [problem]
  })
  expect(failures).toEqual([])
  passed[system] = (passed[system] ?? 0) + vectors.length
}

const assignOne = (experiment: ExperimentConfig, context: { key?: string; attributes?: Record<string, unknown> }): Assignment => {
  const errors: unknown[] = []
  const splitter = createSplitter({ config: { version: 1, experiments: { e: experiment } }, onError: (error) => errors.push(error) })
  const assignment = splitter.assign('e', context)
  expect(errors).toEqual([])
  return assignment
}

describe('flagd fractional (open-feature/flagd-testbed, @fractional-v2)', () => {
  const file = load<{
    count: number
    vectors: { scenario: string; flag: string; seed: string; weights: [string, number][]; key: string; expected: string }[]
  }>('flagd')
  it(`reproduces all ${file.count} applicable vectors`, () => {
    expect(file.vectors).toHaveLength(file.count)
    replay('flagd', file.vectors, (vector) => {
      const experiment: ExperimentConfig = {
        variants: vector.weights.map(([name, weight]) => ({ name, weight })),
        layout: { compat: 'flagd', seed: vector.seed },
      }
      const { variant } = assignOne(experiment, { key: vector.key })
      return variant === vector.expected ? null : `${vector.scenario} ${vector.key}: expected ${vector.expected}, got ${variant}`
    })
  })
})

describe('Unleash (Unleash/client-specification)', () => {
  const file = load<{
    count: number
    features: {
      file: string
      experiment: ExperimentConfig
      tests: {
        description: string
        context: Record<string, unknown> & { properties?: Record<string, unknown> }
        expected: { enabled?: boolean; variant?: string }
      }[]
    }[]
  }>('unleash')
  const tests = file.features.flatMap((feature) => feature.tests.map((test) => ({ ...test, experiment: feature.experiment })))
  it(`reproduces all ${file.count} applicable vectors`, () => {
    expect(tests).toHaveLength(file.count)
    replay('unleash', tests, (test) => {
      const { properties, ...rest } = test.context
      const assignment = assignOne(test.experiment, { attributes: { ...rest, ...properties } })
      const got = test.expected.enabled !== undefined ? assignment.inExperiment : assignment.variant
      const want = test.expected.enabled ?? test.expected.variant
      return got === want ? null : `${test.description}: expected ${String(want)}, got ${String(got)}`
    })
  })
})

describe('Optimizely (optimizely/javascript-sdk bucketer tests)', () => {
  const file = load<{
    count: number
    bucketValues: { bucketingId: string; experimentId: string; bucket: number }[]
    experiment: { id: string; trafficAllocation: { entityId: string; endOfRange: number }[] }
    bucketer: { test: string; bucketingId: string; expected: string }[]
  }>('optimizely')
  it(`reproduces all ${file.count} applicable vectors`, () => {
    expect(file.bucketValues.length + file.bucketer.length).toBe(file.count)
    // A one-bucket variant at the published bucket value catches the key exactly when the bucket matches.
    replay('optimizely', file.bucketValues, ({ bucketingId, experimentId, bucket }) => {
      const experiment: ExperimentConfig = {
        variants: [
          { name: 'below', weight: bucket },
          { name: 'at', weight: 1 },
          { name: 'above', weight: 10_000 - bucket - 1 },
        ],
        layout: { compat: 'optimizely', experimentId },
      }
      const { variant } = assignOne(experiment, { key: bucketingId })
      return variant === 'at' ? null : `${bucketingId}${experimentId}: expected bucket ${bucket}, got the ${variant} range`
    })
    let previous = 0
    const experiment: ExperimentConfig = {
      variants: file.experiment.trafficAllocation.map(({ entityId, endOfRange }) => {
        const weight = endOfRange - previous
        previous = endOfRange
        return { name: entityId, weight }
      }),
      layout: { compat: 'optimizely', experimentId: file.experiment.id },
    }
    replay('optimizely', file.bucketer, ({ test, bucketingId, expected }) => {
      const { variant } = assignOne(experiment, { key: bucketingId })
      return variant === expected ? null : `${test}: expected ${expected}, got ${variant}`
    })
  })
})

describe('GrowthBook (growthbook/growthbook packages/sdk-js/test/cases.json)', () => {
  type RunCase = [string, { attributes?: Record<string, unknown> }, GrowthBookExperiment, JsonValue, boolean, boolean]
  interface GrowthBookExperiment {
    key: string
    variations: JsonValue[]
    weights?: number[]
    coverage?: number
    seed?: string
    hashVersion?: 1 | 2
    hashAttribute?: string
  }
  const file = load<{
    count: Record<'hash' | 'getBucketRange' | 'chooseVariation' | 'run', number>
    hash: [string, string, number, number | null][]
    getBucketRange: [string, [number, number, number[] | null], [number, number][]][]
    chooseVariation: [string, number, [number, number][], number][]
    run: RunCase[]
  }>('growthbook')
  const round = (n: number) => Math.floor(n * 1e8) / 1e8 // as GrowthBook's json.test.ts compares ranges

  it(`reproduces all ${file.count.hash} hash vectors`, () => {
    expect(file.hash).toHaveLength(file.count.hash)
    replay('growthbook', file.hash, ([seed, value, version, expected]) => {
      if (version !== 1 && version !== 2) {
        // GrowthBook answers null for an unknown version; splitlane refuses the config.
        const result = safeParseConfig({
          version: 1,
          experiments: { e: { variants: [{ name: 'a' }], layout: { compat: 'growthbook', hashVersion: version } } },
        })
        return expected === null && !result.success ? null : `hash version ${version} was accepted`
      }
      const n = growthbookPosition(growthbookHash(seed, value, version), version)
      return n === expected ? null : `hash(${seed}, ${value}, ${version}): expected ${expected}, got ${n}`
    })
  })

  it(`reproduces all ${file.count.getBucketRange} getBucketRange vectors`, () => {
    expect(file.getBucketRange).toHaveLength(file.count.getBucketRange)
    replay('growthbook', file.getBucketRange, ([name, [count, coverage, weights], expected]) => {
      const ranges = growthbookRanges(count, coverage, weights ?? [])
      const got = JSON.stringify(ranges.map((range) => range.map(round)))
      return got === JSON.stringify(expected.map((range) => range.map(round))) ? null : `${name}: got ${got}`
    })
  })

  it(`reproduces all ${file.count.chooseVariation} chooseVariation vectors`, () => {
    expect(file.chooseVariation).toHaveLength(file.count.chooseVariation)
    replay('growthbook', file.chooseVariation, ([name, n, ranges, expected]) => {
      const got = chooseVariation(n, ranges)
      return got === expected ? null : `${name}: expected ${expected}, got ${got}`
    })
  })

  it(`runs all ${file.count.run} bucketing-only experiment cases through the splitter`, () => {
    expect(file.run).toHaveLength(file.count.run)
    replay('growthbook', file.run, ([name, context, gb, value, inExperiment]) => {
      const count = gb.variations.length
      // GrowthBook's weights (equal when absent) x 1,000,000 and its coverage x 100, as docs/migrating.md says.
      const weights = gb.weights ?? gb.variations.map(() => 1 / count)
      const experiment: ExperimentConfig = {
        variants: gb.variations.map((variation, index) => ({
          name: `v${index}`,
          weight: Math.round(weights[index]! * 1_000_000),
          value: variation,
        })),
        salt: gb.key,
        exposure: (gb.coverage ?? 1) * 100,
        bucketBy: [gb.hashAttribute ?? 'id'],
        layout: { compat: 'growthbook', ...(gb.seed === undefined ? {} : { seed: gb.seed }), hashVersion: gb.hashVersion ?? 1 },
      }
      const assignment = assignOne(experiment, { attributes: context.attributes ?? {} })
      const got = { value: assignment.value, inExperiment: assignment.inExperiment }
      return JSON.stringify(got) === JSON.stringify({ value, inExperiment })
        ? null
        : `${name}: expected ${JSON.stringify({ value, inExperiment })}, got ${JSON.stringify(got)}`
    })
  })
})
