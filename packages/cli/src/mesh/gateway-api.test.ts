import { createSplitter, parseConfig } from '@splitlane/core'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/fixtures.js'
import { exportHttpRoute, importHttpRoute } from './gateway-api.js'

const paths = (warnings: readonly { path: string }[]) => warnings.map((warning) => warning.path)

describe('importHttpRoute', () => {
  it('turns the guide 90/10 split into one experiment with the same weights and Service URLs', () => {
    const result = importHttpRoute(fixture('gateway-simple-split.yaml'))
    expect(result.warnings).toEqual([])
    const experiment = parseConfig(result.config).experiments['foo-route']!
    expect(experiment.variants.map(({ name, weight, value }) => ({ name, weight, value }))).toEqual([
      { name: 'foo-v1', weight: 90, value: 'http://foo-v1.default.svc.cluster.local:8080' },
      { name: 'foo-v2', weight: 10, value: 'http://foo-v2.default.svc.cluster.local:8080' },
    ])
  })

  it('keeps a weight-0 backend as a variant that gets nothing', () => {
    const result = importHttpRoute(fixture('gateway-full-cutover.yaml'))
    const splitter = createSplitter({ config: result.config })
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => splitter.variantOf('foo-route', `user-${i}`)))
    expect(seen).toEqual(new Set(['foo-v2']))
    expect(result.config.experiments['foo-route']!.variants.map((v) => v.weight)).toEqual([0, 1])
  })

  it('turns a header-matching rule into a targeting rule; the catch-all rule stays the default and the control', () => {
    const result = importHttpRoute(fixture('gateway-header-canary.yaml'))
    expect(result.warnings).toEqual([])
    const splitter = createSplitter({ config: result.config })
    expect(splitter.config.experiments['foo-route']!.control).toBe('foo-v1')
    expect(splitter.assign('foo-route', { key: 'u1', attributes: { traffic: 'test' } })).toMatchObject({
      variant: 'foo-v2',
      ruleId: 'rule-1',
    })
    expect(splitter.assign('foo-route', { key: 'u1', attributes: { traffic: 'prod' } }).variant).toBe('foo-v1')
    expect(splitter.assign('foo-route', { key: 'u1' }).variant).toBe('foo-v1')
    expect(result.config.experiments['foo-route']!.description).toContain("headers: ['traffic']")
  })

  it('reports every field it does not carry over by path, and ignores only the allow-listed ones', () => {
    const result = importHttpRoute(fixture('gateway-with-filters.yaml'))
    expect(paths(result.warnings)).toEqual(['spec.rules[0].filters', 'spec.rules[0].timeouts', 'spec.rules[0].matches'])
    expect(result.warnings[2]!.message).toContain('path PathPrefix /checkout')
    expect(result.config.experiments['checkout']!.variants).toEqual([
      { name: 'checkout-v1', weight: 1, value: 'http://checkout-v1.shop.svc.cluster.local:80' },
      { name: 'checkout-v2', weight: 3, value: 'http://checkout-v2.shop.svc.cluster.local:80' },
    ])
  })

  it('reports unknown fields anywhere, and splits several rules with other matches into one experiment each', () => {
    const result = importHttpRoute({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api', namespace: 'web', annotations: { a: 'b' } },
      spec: {
        parentRefs: [{ name: 'gw' }],
        somethingNew: true,
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/v2' } }], backendRefs: [{ name: 'api-v2', port: 80, surprise: 1 }] },
          {
            matches: [{ method: 'POST' }],
            backendRefs: [
              { name: 'api-v1', port: 80 },
              { name: 'api-v2', port: 80, weight: 0 },
            ],
          },
          { name: 'redirect', filters: [{ type: 'RequestRedirect' }] },
        ],
      },
      status: { parents: [] },
    })
    expect(paths(result.warnings)).toEqual([
      'spec.somethingNew',
      'spec.rules[0].backendRefs[0].surprise',
      'spec.rules[2].filters',
      'spec.rules[2].backendRefs',
      'spec.rules[0].matches',
      'spec.rules[1].matches',
    ])
    expect(Object.keys(result.config.experiments)).toEqual(['api-0', 'api-1'])
    expect(result.config.experiments['api-1']!.variants.map((v) => [v.name, v.weight])).toEqual([
      ['api-v1', 1],
      ['api-v2', 0],
    ])
    expect(() => parseConfig(result.config)).not.toThrow()
  })

  it('names variants apart when backends share a name, and scales weights only when they do not fit', () => {
    const result = importHttpRoute({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'svc', namespace: 'a', port: 80, weight: 1 },
              { name: 'svc', namespace: 'b', port: 80, weight: 2 },
              { name: 'svc', namespace: 'b', port: 80, weight: 3 },
            ],
          },
        ],
      },
    })
    expect(result.config.experiments['r']!.variants.map((v) => [v.name, v.weight])).toEqual([
      ['svc-a', 1],
      ['svc-b', 5],
    ])
  })

  it('imports a route whose every backend has weight 0 as disabled, and says so', () => {
    const result = importHttpRoute({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'off' },
      spec: { rules: [{ backendRefs: [{ name: 'a', port: 80, weight: 0 }] }] },
    })
    expect(result.config.experiments['off']).toMatchObject({ enabled: false })
    expect(paths(result.warnings)).toEqual(['spec.rules[0].backendRefs'])
    expect(() => parseConfig(result.config)).not.toThrow()
  })
})

describe('exportHttpRoute', () => {
  const config = {
    version: 1 as const,
    experiments: {
      checkout: {
        variants: [
          { name: 'stable', weight: 95, value: 'http://checkout-v1.shop.svc.cluster.local:8080' },
          { name: 'canary', weight: 5, value: { url: 'http://checkout-v2.shop.svc.cluster.local:8080' } },
        ],
        rules: [{ id: 'beta', when: { attribute: 'x-beta', op: 'equals' as const, values: ['1'] }, variant: 'canary' }],
      },
    },
  }

  it('writes header rules first, then the weighted catch-all, with backendRefs from the Service URLs', () => {
    const { manifest, warnings } = exportHttpRoute(config, 'checkout', { namespace: 'shop' })
    expect(manifest).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: {
        rules: [
          {
            name: 'beta',
            matches: [{ headers: [{ name: 'x-beta', value: '1' }] }],
            backendRefs: [{ name: 'checkout-v2', port: 8080, weight: 1 }],
          },
          {
            backendRefs: [
              { name: 'checkout-v1', port: 8080, weight: 95 },
              { name: 'checkout-v2', port: 8080, weight: 5 },
            ],
          },
        ],
      },
    })
    expect(paths(warnings)).toEqual(['experiments.checkout.rules', 'experiments.checkout.mode'])
  })

  it('folds exposure into per-request weights and reports what a mesh cannot say', () => {
    const { manifest, warnings } = exportHttpRoute(
      {
        version: 1,
        experiments: {
          e: {
            variants: [
              { name: 'a', weight: 1, value: 'https://api.example.com' },
              { name: 'b', weight: 1, value: 'http://b.ns.svc.cluster.local/v2' },
            ],
            exposure: 50,
            mode: 'random',
            bucketBy: 'userId',
            rules: [{ id: 'gt', when: { attribute: 'age', op: 'gt', values: [3] }, variant: 'b' }],
          },
        },
      },
      'e',
    )
    const refs = (manifest.spec as { rules: { backendRefs: { name: string; weight: number }[] }[] }).rules[0]!.backendRefs
    // a: 50% outside exposure + 25%, b: 25%, reduced to the smallest integers
    expect(refs.map((ref) => ref.weight)).toEqual([3, 1])
    expect(refs.map((ref) => ref.name)).toEqual(['a', 'b'])
    expect(paths(warnings)).toEqual([
      'experiments.e.rules[0].when',
      'experiments.e.exposure',
      'experiments.e.bucketBy',
      'experiments.e.variants[0].value',
      'experiments.e.variants[1].value',
    ])
  })

  it('round-trips the header canary of the Gateway API guide', () => {
    const imported = importHttpRoute(fixture('gateway-header-canary.yaml'))
    const again = importHttpRoute(exportHttpRoute(imported.config, 'foo-route').manifest)
    expect(again.config.experiments['foo-route']!.variants).toEqual(imported.config.experiments['foo-route']!.variants)
    // the rule keeps its id: export names the Gateway API rule after it
    expect(again.config.experiments['foo-route']!.rules).toEqual([
      { id: 'rule-1', when: { attribute: 'traffic', op: 'equals', values: ['test'] }, variant: 'foo-v2' },
    ])
    expect(again.config).toEqual(imported.config)
  })
})
