// import -> export -> import on generated manifests of all three kinds: what import took in, export carries out,
// so the second import gives the same config and plans. The seed is fixed (packages/core/test/setup.ts); fast-check
// prints it and the failing manifest on failure.
import { parseConfig } from '@splitlane/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exportRollout, importRollout } from './argo-rollouts.js'
import { exportHttpRoute, importHttpRoute } from './gateway-api.js'
import { exportVirtualService, importVirtualService } from './istio.js'
import type { ImportResult } from './types.js'

const NUM_RUNS = 300

const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/)
const namespace = fc.constantFrom('default', 'shop')
// 80 and 443 included: WHATWG URL drops them from `http://host:80`, export must not
const port = fc.constantFrom(80, 443, 8080, 9080)
const weight = fc.integer({ min: 0, max: 1000 })
const headerName = fc.constantFrom('x-beta', 'end-user', 'x-canary', 'cookie')
const headerValue = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/)

/** Picks 1..n distinct entries of `list`, each with a weight, at least one above 0. */
const weighted = <T>(list: readonly T[]) =>
  fc
    .shuffledSubarray([...list], { minLength: 1 })
    .chain((picked) => fc.tuple(fc.constant(picked), fc.array(weight, { minLength: picked.length, maxLength: picked.length })))
    .filter(([, weights]) => weights.some((w) => w > 0))
    .map(([picked, weights]) => picked.map((entry, i) => ({ entry, weight: weights[i]! })))

function roundTrip(first: ImportResult, second: ImportResult): void {
  expect(() => parseConfig(first.config)).not.toThrow()
  expect(second.config).toEqual(first.config)
  expect(second.plans).toEqual(first.plans)
}

describe('import -> export -> import changes nothing', () => {
  it('Gateway API HTTPRoute: backends of any kind, ports, namespaces, header-matching rules', () => {
    const backend = fc.record({
      name: dnsName,
      namespace: fc.option(namespace, { nil: undefined }),
      port,
      target: fc.constantFrom({}, { group: 'multicluster.x-k8s.io', kind: 'ServiceImport' }, { group: 'example.com', kind: 'Backend' }),
    })
    type Backend = typeof backend extends fc.Arbitrary<infer T> ? T : never
    const route = fc
      .record({
        namespace,
        backends: fc.uniqueArray(backend, {
          minLength: 1,
          maxLength: 5,
          selector: (b) => `${JSON.stringify(b.target)}/${b.namespace}/${b.name}`,
        }),
      })
      .chain(({ namespace, backends }) => {
        const header = fc.record({ name: headerName, type: fc.constantFrom('Exact', 'RegularExpression'), value: headerValue })
        const match = fc.uniqueArray(header, { minLength: 1, maxLength: 2, selector: (h) => h.name }).map((headers) => ({ headers }))
        const rule = fc.record({ matches: fc.array(match, { minLength: 1, maxLength: 2 }), refs: weighted(backends) })
        return fc.record({
          namespace: fc.constant(namespace),
          catchAll: weighted(backends),
          rules: fc.array(rule, { maxLength: 3 }),
          catchAllAt: fc.nat(),
        })
      })
      .map(({ namespace, catchAll, rules, catchAllAt }) => {
        const ref = ({ entry, weight }: { entry: Backend; weight: number }) => ({
          ...entry.target,
          name: entry.name,
          ...(entry.namespace === undefined ? {} : { namespace: entry.namespace }),
          port: entry.port,
          weight,
        })
        const all = rules.map((rule) => ({ matches: rule.matches, backendRefs: rule.refs.map(ref) }))
        all.splice(catchAllAt % (all.length + 1), 0, { backendRefs: catchAll.map(ref) } as (typeof all)[number])
        return {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'route', namespace },
          spec: { parentRefs: [{ name: 'gateway' }], rules: all },
        }
      })
    fc.assert(
      fc.property(route, (manifest) => {
        const first = importHttpRoute(manifest)
        const exported = exportHttpRoute(first.config, 'route', { namespace: manifest.metadata.namespace })
        roundTrip(first, importHttpRoute(exported.manifest))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('Istio VirtualService: subsets, ports, lone destinations, header-matching routes', () => {
    const destination = fc.record({
      host: fc.constantFrom('reviews', 'ratings', 'details.prod.svc.cluster.local', 'api.example.com'),
      subset: fc.option(fc.constantFrom('v1', 'v2', 'v3'), { nil: undefined }),
      port: fc.option(port, { nil: undefined }),
    })
    type Destination = typeof destination extends fc.Arbitrary<infer T> ? T : never
    const service = fc
      .record({
        namespace,
        destinations: fc.uniqueArray(destination, { minLength: 1, maxLength: 5, selector: (d) => `${d.host}|${d.subset}|${d.port}` }),
      })
      .chain(({ namespace, destinations }) => {
        const test = fc.record({ kind: fc.constantFrom('exact', 'prefix', 'regex'), value: headerValue })
        const match = fc.dictionary(headerName, test, { minKeys: 1, maxKeys: 2 }).map((headers) => ({ headers }))
        const http = fc.record({
          name: fc.option(dnsName, { nil: undefined }),
          match: fc.array(match, { minLength: 1, maxLength: 2 }),
          route: weighted(destinations),
        })
        return fc.record({ namespace: fc.constant(namespace), rules: fc.array(http, { maxLength: 3 }), catchAll: weighted(destinations) })
      })
      .map(({ namespace, rules, catchAll }) => {
        const route = (picked: { entry: Destination; weight: number }[]) =>
          picked.map(({ entry, weight }) => ({
            destination: {
              host: entry.host,
              ...(entry.subset === undefined ? {} : { subset: entry.subset }),
              ...(entry.port === undefined ? {} : { port: { number: entry.port } }),
            },
            weight,
          }))
        const headers = (match: { headers: Record<string, { kind: string; value: string }> }) => ({
          headers: Object.fromEntries(Object.entries(match.headers).map(([name, test]) => [name, { [test.kind]: test.value }])),
        })
        return {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'service', namespace },
          spec: {
            hosts: ['reviews'],
            http: [
              ...rules.map((rule) => ({
                ...(rule.name === undefined ? {} : { name: rule.name }),
                match: rule.match.map(headers),
                route: route(rule.route),
              })),
              { route: route(catchAll) },
            ],
          },
        }
      })
    fc.assert(
      fc.property(service, (manifest) => {
        const first = importVirtualService(manifest)
        const exported = exportVirtualService(first.config, 'service', { namespace: manifest.metadata.namespace })
        roundTrip(first, importVirtualService(exported.manifest))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it('Argo Rollout: services, setWeight, pauses in seconds and Go durations, analysis', () => {
    const goDuration = fc.constantFrom('30s', '10m', '1h', '1h30m', '1.5h', '300s', '2m', '90', 45, '0')
    const step = fc.oneof(
      fc.integer({ min: 0, max: 100 }).map((setWeight) => ({ setWeight })),
      fc.constant({ pause: {} }),
      goDuration.map((duration) => ({ pause: { duration } })),
      fc.constant({ analysis: { templates: [{ templateName: 'success-rate' }] } }),
    )
    const rollout = fc
      .record({
        namespace,
        stableService: fc.option(dnsName, { nil: undefined }),
        canaryService: fc.option(dnsName, { nil: undefined }),
        steps: fc.array(step, { maxLength: 10 }),
      })
      .map(({ namespace, stableService, canaryService, steps }) => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'rollout', namespace },
        spec: {
          replicas: 3,
          strategy: {
            canary: {
              ...(stableService === undefined ? {} : { stableService }),
              ...(canaryService === undefined ? {} : { canaryService }),
              steps,
            },
          },
        },
      }))
    fc.assert(
      fc.property(rollout, (manifest) => {
        const first = importRollout(manifest)
        // every pause with a duration (seconds or a Go duration) is a timed pause, not one that waits for a person
        const timed = manifest.spec.strategy.canary.steps.filter((step) => 'pause' in step && 'duration' in step.pause).length
        expect(first.plans[0]!.steps.filter((step) => 'pause' in step && step.pause.durationMs !== undefined)).toHaveLength(timed)
        const exported = exportRollout(first.config, first.plans[0]!, { namespace: manifest.metadata.namespace })
        roundTrip(first, importRollout(exported.manifest))
      }),
      { numRuns: NUM_RUNS },
    )
  })
})
