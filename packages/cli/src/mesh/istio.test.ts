import { createSplitter, parseConfig } from '@splitlane/core'
import { describe, expect, it } from 'vitest'
import { fixture } from '../../test/fixtures.js'
import { exportVirtualService, importVirtualService } from './istio.js'

const paths = (warnings: readonly { path: string }[]) => warnings.map((warning) => warning.path)

describe('importVirtualService', () => {
  it('turns the reviews v1/v3 50/50 shift into variants named after the subsets, and reports the subsets', () => {
    const result = importVirtualService(fixture('istio-reviews-50-v3.yaml'))
    // the subset is kept beside the URL, so that export writes it back
    expect(result.config.experiments['reviews']!.variants).toEqual([
      { name: 'v1', weight: 50, value: { url: 'http://reviews.default.svc.cluster.local', mesh: { subset: 'v1' } } },
      { name: 'v3', weight: 50, value: { url: 'http://reviews.default.svc.cluster.local', mesh: { subset: 'v3' } } },
    ])
    expect(paths(result.warnings)).toEqual(['spec.http[0].route[0].destination.subset', 'spec.http[0].route[1].destination.subset'])
  })

  it('keeps relative weights of three subsets and reports the retries', () => {
    const result = importVirtualService(fixture('istio-reviews-v1-v2-v3.yaml'))
    const experiment = parseConfig(result.config).experiments['reviews-route']!
    expect(experiment.variants.map((v) => [v.name, v.weight])).toEqual([
      ['v1', 70],
      ['v2', 20],
      ['v3', 10],
    ])
    expect(experiment.variants[0]!.value).toEqual({ url: 'http://reviews.prod.svc.cluster.local', mesh: { subset: 'v1' } })
    expect(paths(result.warnings)[0]).toBe('spec.http[0].retries')
  })

  it('turns the jason header route into a targeting rule before the catch-all', () => {
    const result = importVirtualService(fixture('istio-reviews-jason.yaml'))
    const splitter = createSplitter({ config: result.config })
    expect(splitter.config.experiments['reviews']!.control).toBe('v3')
    expect(splitter.assign('reviews', { key: 'k', attributes: { 'end-user': 'jason' } }).variant).toBe('v2')
    expect(splitter.assign('reviews', { key: 'k', attributes: { 'end-user': 'anna' } }).variant).toBe('v3')
  })

  it('reads prefix and regex header matches; anything else makes the entry its own experiment, reported', () => {
    const result = importVirtualService({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'api' },
      spec: {
        hosts: ['api'],
        http: [
          {
            name: 'beta',
            match: [{ headers: { 'x-group': { prefix: 'beta-' } } }, { headers: { cookie: { regex: '.*beta=1.*' } } }],
            route: [{ destination: { host: 'api-v2', port: { number: 9080 } } }],
          },
          { route: [{ destination: { host: 'api-v1', port: { number: 9080 } } }] },
        ],
      },
    })
    const splitter = createSplitter({ config: result.config })
    expect(splitter.assign('api', { key: 'k', attributes: { 'x-group': 'beta-7' } })).toMatchObject({ variant: 'api-v2', ruleId: 'beta' })
    expect(splitter.assign('api', { key: 'k', attributes: { cookie: 'a=1; beta=1' } }).variant).toBe('api-v2')
    expect(splitter.assign('api', { key: 'k', attributes: { cookie: 'beta=0' } }).variant).toBe('api-v1')
    expect(result.config.experiments['api']!.variants[1]!.value).toBe('http://api-v2.default.svc.cluster.local:9080')

    const other = importVirtualService({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'api' },
      spec: {
        http: [
          { match: [{ uri: { prefix: '/v2' } }], route: [{ destination: { host: 'api-v2' } }] },
          { route: [{ destination: { host: 'api-v1' } }] },
          { route: [{ destination: { host: 'never' } }] },
        ],
        tcp: [{}],
      },
    })
    expect(Object.keys(other.config.experiments)).toEqual(['api-0', 'api-1'])
    expect(paths(other.warnings)).toEqual(['spec.tcp', 'spec.http[2]', 'spec.http[0].match'])
  })

  it('gives destinations without weights none when there are several, everything when alone', () => {
    const result = importVirtualService({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 's' },
      spec: { http: [{ route: [{ destination: { host: 'a' }, weight: 3 }, { destination: { host: 'b' } }] }] },
    })
    expect(result.config.experiments['s']!.variants.map((v) => v.weight)).toEqual([3, 0])
  })
})

describe('exportVirtualService', () => {
  it('exports variants on one host as subsets and round-trips the reviews split', () => {
    const imported = importVirtualService(fixture('istio-reviews-v1-v2-v3.yaml'))
    const { manifest } = exportVirtualService(imported.config, 'reviews-route', { namespace: 'prod' })
    expect(manifest).toMatchObject({
      kind: 'VirtualService',
      metadata: { name: 'reviews-route', namespace: 'prod' },
      spec: {
        hosts: ['reviews.prod.svc.cluster.local'],
        http: [
          {
            name: 'default',
            route: [
              { destination: { host: 'reviews.prod.svc.cluster.local', subset: 'v1' }, weight: 70 },
              { destination: { host: 'reviews.prod.svc.cluster.local', subset: 'v2' }, weight: 20 },
              { destination: { host: 'reviews.prod.svc.cluster.local', subset: 'v3' }, weight: 10 },
            ],
          },
        ],
      },
    })
    const again = importVirtualService(manifest)
    expect(again.config.experiments['reviews-route']!.variants).toEqual(imported.config.experiments['reviews-route']!.variants)
  })

  it('exports header rules as earlier http entries, named after the rule', () => {
    const imported = importVirtualService(fixture('istio-reviews-jason.yaml'))
    const { manifest } = exportVirtualService(imported.config, 'reviews')
    const http = (manifest.spec as { http: unknown[] }).http
    expect(http[0]).toEqual({
      name: 'rule-0',
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      route: [{ destination: { host: 'reviews.default.svc.cluster.local', subset: 'v2' }, weight: 1 }],
    })
    const again = importVirtualService(manifest)
    expect(again.config.experiments['reviews']!.rules).toEqual(imported.config.experiments['reviews']!.rules)
  })
})
