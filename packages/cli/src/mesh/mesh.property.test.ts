import { MAX_WEIGHT, parseConfig, type SplitlaneConfig } from '@splitlane/core'
import { parseRolloutPlan, type RolloutStep } from '@splitlane/core/rollout'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exportRollout, importRollout } from './argo-rollouts.js'
import { toSplitlaneWeights, createReport } from './common.js'
import { exportHttpRoute, importHttpRoute } from './gateway-api.js'
import { exportVirtualService, importVirtualService } from './istio.js'

/** Exact comparison of two splits as fractions: a_i / sum(a) === b_i / sum(b) for every i. */
function sameShares(a: readonly number[], b: readonly number[]): boolean {
  const sumA = a.reduce((x, y) => x + y, 0)
  const sumB = b.reduce((x, y) => x + y, 0)
  return a.length === b.length && a.every((weight, i) => BigInt(weight) * BigInt(sumB) === BigInt(b[i]!) * BigInt(sumA))
}

const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/)
const weight = fc.integer({ min: 0, max: MAX_WEIGHT })

/** An experiment whose variants are distinct cluster Services, with at least one weight above 0. */
const experiment = fc
  .uniqueArray(
    fc.record({ service: serviceName, namespace: fc.constantFrom('default', 'shop'), port: fc.integer({ min: 1, max: 65535 }), weight }),
    {
      minLength: 1,
      maxLength: 6,
      selector: (variant) => `${variant.namespace}/${variant.service}`,
    },
  )
  .filter((variants) => variants.some((variant) => variant.weight > 0))
  .map((variants): SplitlaneConfig => ({
    version: 1,
    experiments: {
      e: {
        mode: 'random',
        variants: variants.map((variant, i) => ({
          name: `v${i}`,
          weight: variant.weight,
          value: `http://${variant.service}.${variant.namespace}.svc.cluster.local:${variant.port}`,
        })),
      },
    },
  }))

const byValue = (config: SplitlaneConfig, name: string) =>
  new Map(parseConfig(config).experiments[name]!.variants.map((variant) => [variant.value as string, variant.weight]))

describe('round trips keep the shares exactly', () => {
  it('Gateway API: import(export(x)) gives every Service the same weight', () => {
    fc.assert(
      fc.property(experiment, (config) => {
        const exported = exportHttpRoute(config, 'e')
        expect(exported.warnings).toEqual([])
        const back = importHttpRoute(exported.manifest)
        expect(back.warnings).toEqual([])
        const before = byValue(config, 'e')
        const after = byValue(back.config, 'e')
        expect([...after.keys()]).toEqual([...before.keys()])
        expect(sameShares([...before.values()], [...after.values()])).toBe(true)
      }),
    )
  })

  it('Istio: import(export(x)) gives every destination the same share', () => {
    fc.assert(
      fc.property(experiment, (config) => {
        const back = importVirtualService(exportVirtualService(config, 'e').manifest)
        const before = byValue(config, 'e')
        const after = byValue(back.config, 'e')
        expect([...after.keys()]).toEqual([...before.keys()])
        expect(sameShares([...before.values()], [...after.values()])).toBe(true)
      }),
    )
  })

  it('Argo Rollouts: import(export(plan)) gives the same steps', () => {
    const step: fc.Arbitrary<RolloutStep> = fc.oneof(
      fc.integer({ min: 0, max: 100 }).map((setWeight) => ({ setWeight })),
      fc.constant({ pause: {} }),
      fc.integer({ min: 0, max: 100_000 }).map((seconds) => ({ pause: { durationMs: seconds * 1000 } })),
      fc.constant({ analysis: {} }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const config: SplitlaneConfig = {
          version: 1,
          experiments: { r: { variants: [{ name: 'stable' }, { name: 'canary', weight: 0 }] } },
        }
        const plan = { experiment: 'r', canary: 'canary', baseline: 'stable', steps }
        const back = importRollout(exportRollout(config, plan).manifest)
        expect(back.plans[0]!.steps).toEqual(steps)
        expect(parseRolloutPlan(back.plans[0]).steps).toEqual(steps)
      }),
    )
  })
})

describe('weights keep their meaning on import', () => {
  it('Gateway API: an omitted weight is 1, 0 is none, the rest as they are', () => {
    const ref = fc.record({ name: serviceName, weight: fc.option(weight, { nil: undefined }) })
    fc.assert(
      fc.property(fc.uniqueArray(ref, { minLength: 1, maxLength: 8, selector: (r) => r.name }), (refs) => {
        const result = importHttpRoute({
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'r' },
          spec: {
            rules: [
              { backendRefs: refs.map((r) => ({ name: r.name, port: 80, ...(r.weight === undefined ? {} : { weight: r.weight }) })) },
            ],
          },
        })
        const parsed = parseConfig(result.config).experiments['r']!
        expect(parsed.variants.map((v) => v.weight)).toEqual(refs.map((r) => r.weight ?? 1))
        expect(parsed.enabled).toBe(refs.some((r) => (r.weight ?? 1) > 0))
      }),
    )
  })

  it('Istio: relative weights of any size keep their ratios (exactly when they fit after reduction)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 2, maxLength: 6 }), (weights) => {
        fc.pre(weights.some((w) => w > 0))
        const result = importVirtualService({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 's' },
          spec: { http: [{ route: weights.map((w, i) => ({ destination: { host: `h${i}` }, weight: w })) }] },
        })
        const imported = parseConfig(result.config).experiments['s']!.variants.map((v) => v.weight)
        if (result.warnings.length === 0) expect(sameShares(weights, imported)).toBe(true)
        else {
          const sum = weights.reduce((a, b) => a + b, 0)
          imported.forEach((w, i) => expect(Math.abs(w / MAX_WEIGHT - weights[i]! / sum)).toBeLessThanOrEqual(1 / MAX_WEIGHT))
        }
      }),
    )
  })

  it('scaling gives integers in range that sum to 1,000,000 when it has to scale', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 10 }), (weights) => {
        const out = toSplitlaneWeights(weights, [], createReport())
        expect(out.every((w) => Number.isInteger(w) && w >= 0 && w <= MAX_WEIGHT)).toBe(true)
        const fits = weights.every((w) => Number.isInteger(w) && w <= MAX_WEIGHT)
        if (fits) expect(out).toEqual(weights)
        else if (weights.some((w) => w > 0) && !weights.every(Number.isSafeInteger)) expect(out.reduce((a, b) => a + b, 0)).toBe(MAX_WEIGHT)
      }),
    )
  })
})
