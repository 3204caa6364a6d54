import { createMetricsRecorder, createSplitter, parseConfig } from '@splitlane/core'
import { createRolloutDriver, parseRolloutPlan } from '@splitlane/core/rollout'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/fixtures.js'
import { exportRollout, formatDuration, importRollout, parseDuration } from './argo-rollouts.js'

const paths = (warnings: readonly { path: string }[]) => warnings.map((warning) => warning.path)

describe('importRollout', () => {
  it('turns the Argo canary example into a stable/canary experiment and a plan with the same steps', () => {
    const result = importRollout(fixture('argo-rollout-canary.yaml'))
    expect(result.warnings).toEqual([])
    expect(parseRolloutPlan(result.plans[0])).toEqual(result.plans[0])
    expect(parseConfig(result.config).experiments['rollout-canary']!.variants.map((v) => [v.name, v.weight])).toEqual([
      ['stable', 1],
      ['canary', 0],
    ])
    expect(result.plans).toEqual([
      {
        experiment: 'rollout-canary',
        canary: 'canary',
        baseline: 'stable',
        steps: [
          { setWeight: 20 },
          { pause: {} },
          { setWeight: 40 },
          { pause: { durationMs: 40_000 } },
          { setWeight: 60 },
          { pause: { durationMs: 20_000 } },
          { setWeight: 80 },
          { pause: { durationMs: 20_000 } },
        ],
      },
    ])
  })

  it('drives a real rollout: the imported plan sets 20% and waits for a human', () => {
    const result = importRollout(fixture('argo-rollout-canary.yaml'))
    const splitter = createSplitter({ config: result.config })
    const driver = createRolloutDriver({ splitter, recorder: createMetricsRecorder(), plan: result.plans[0]!, now: 0 })
    driver.tick(1000)
    expect(driver.state).toMatchObject({ status: 'paused', canaryWeight: 20 })
    expect(splitter.config.experiments['rollout-canary']!.variants.map((v) => v.weight)).toEqual([800_000, 200_000])
  })

  it('reports traffic routing, header routes and analysis templates by path, and keeps the analysis step', () => {
    const result = importRollout(fixture('argo-rollout-analysis.yaml'))
    expect(paths(result.warnings)).toEqual([
      'spec.strategy.canary.trafficRouting',
      'spec.strategy.canary.steps[2].setHeaderRoute',
      'spec.strategy.canary.steps[3].analysis.templates',
      'spec.strategy.canary.steps[3].analysis.args',
    ])
    expect(result.plans[0]!.steps).toEqual([
      { setWeight: 5 },
      { pause: { durationMs: 600_000 } },
      { analysis: {} },
      { setWeight: 25 },
      { pause: { durationMs: 3_600_000 } },
      { setWeight: 50 },
      { pause: { durationMs: 300_000 } },
    ])
    expect(result.config.experiments['checkout']!.variants.map((v) => v.value)).toEqual([
      'http://checkout-stable.shop.svc.cluster.local',
      'http://checkout-canary.shop.svc.cluster.local',
    ])
  })

  it('reports blue/green; stops at a weight or a duration Argo would not accept, naming its path', () => {
    const rollout = (steps: unknown[]) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r' },
      spec: { strategy: { blueGreen: { activeService: 'a' }, canary: { steps } } },
    })
    expect(paths(importRollout(rollout([{ setWeight: 20 }])).warnings)).toEqual(['spec.strategy.blueGreen'])
    expect(() => importRollout(rollout([{ setWeight: 150 }]))).toThrow(
      expect.objectContaining({ path: 'spec.strategy.canary.steps[0].setWeight', message: 'expected a percentage 0..100, received 150' }),
    )
    expect(() => importRollout(rollout([{ setWeight: '20' }]))).toThrow(/received the string "20"/)
    expect(() => importRollout(rollout([{ setWeight: 5 }, { pause: { duration: '2d' } }]))).toThrow(
      expect.objectContaining({ path: 'spec.strategy.canary.steps[1].pause.duration' }),
    )
  })
})

describe('durations', () => {
  it('reads seconds, s, m and h, and writes Go durations', () => {
    expect([30, '30', '30s', '10m', '1h', 'x', '1d', -1].map(parseDuration)).toEqual([
      30_000,
      30_000,
      30_000,
      600_000,
      3_600_000,
      null,
      null,
      null,
    ])
    expect([1000, 90_000, 600_000, 7_200_000, 0, 5_400_000].map(formatDuration)).toEqual(['1s', '1m30s', '10m', '2h', '0s', '1h30m'])
  })

  it("reads Go durations as Argo does: time.ParseDuration's grammar, truncated to whole seconds", () => {
    const cases: [string, number | null][] = [
      ['1h30m', 5_400_000],
      ['1.5h', 5_400_000],
      ['300s', 300_000],
      ['2m', 120_000],
      ['500ms', 0],
      ['1.5s', 1000],
      ['1m0.5s', 60_000],
      ['2h45m30s', 9_930_000],
      ['.5m', 30_000],
      ['1500000us', 1000],
      ['3000000000ns', 3000],
      ['1\u00b5s', 0],
      ['0', 0],
      ['+5s', 5000],
      ['-5s', null],
      ['5', 5000],
      ['5 s', null],
      ['1h 30m', null],
      ['1d', null],
      ['s', null],
      ['1.h', 3_600_000],
      ['', null],
    ]
    expect(cases.map(([text]) => [text, parseDuration(text)])).toEqual(cases)
  })

  it('imports a Go-duration pause as a timed pause (it used to be an indefinite one), warning when Argo truncates it', () => {
    const result = importRollout({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r' },
      spec: {
        strategy: {
          canary: { steps: [{ pause: { duration: '1h30m' } }, { pause: { duration: '1.5h' } }, { pause: { duration: '500ms' } }] },
        },
      },
    })
    expect(result.plans[0]!.steps).toEqual([
      { pause: { durationMs: 5_400_000 } },
      { pause: { durationMs: 5_400_000 } },
      { pause: { durationMs: 0 } },
    ])
    expect(result.warnings).toEqual([
      { path: 'spec.strategy.canary.steps[2].pause.duration', message: '500ms: Argo pauses whole seconds, 0 s; imported as Argo runs it' },
    ])
  })
})

describe('exportRollout', () => {
  it('writes the steps, Services from the URLs, and reports what Argo cannot say', () => {
    const imported = importRollout(fixture('argo-rollout-analysis.yaml'))
    const plan = { ...imported.plans[0]!, maxWeightChangePerMinute: 10 }
    const { manifest, warnings } = exportRollout(imported.config, plan, { namespace: 'shop' })
    expect(manifest).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: {
        strategy: {
          canary: {
            stableService: 'checkout-stable',
            canaryService: 'checkout-canary',
            steps: [
              { setWeight: 5 },
              { pause: { duration: '10m' } },
              { analysis: { templates: [{ templateName: 'checkout-analysis' }] } },
              { setWeight: 25 },
              { pause: { duration: '1h' } },
              { setWeight: 50 },
              { pause: { duration: '5m' } },
            ],
          },
        },
      },
    })
    expect(paths(warnings)).toEqual(['steps[2].analysis', 'maxWeightChangePerMinute'])
    expect(importRollout(manifest).plans[0]!.steps).toEqual(imported.plans[0]!.steps)
  })

  it('leaves the Services out, without a warning, when the variants have no address; reports an address that is no Service', () => {
    const imported = importRollout(fixture('argo-rollout-canary.yaml'))
    const bare = exportRollout(imported.config, imported.plans[0]!)
    expect(bare.warnings).toEqual([])
    expect(Object.keys((bare.manifest.spec as { strategy: { canary: object } }).strategy.canary)).toEqual(['steps'])
    const config = {
      version: 1 as const,
      experiments: {
        'rollout-canary': {
          variants: [
            { name: 'stable', value: 'https://example.com' },
            { name: 'canary', weight: 0 },
          ],
        },
      },
    }
    expect(paths(exportRollout(config, imported.plans[0]!).warnings)).toEqual(['experiments.rollout-canary.variants[0].value'])
  })
})
