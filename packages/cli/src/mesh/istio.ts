// Istio VirtualService (networking.istio.io/v1, v1beta1) <-> splitlane experiments.
import { parseConfig, type Condition, type SplitlaneConfig } from '@splitlane/core'
import {
  allOf,
  anyOf,
  createReport,
  entryRecord,
  headerCondition,
  isWeight,
  meshTargetOf,
  readList,
  readMetadata,
  readNumber,
  readRecord,
  readString,
  serviceAddress,
  serviceUrl,
  variantValue,
  type Path,
  type Report,
} from './common.js'
import {
  buildExperiments,
  experimentOf,
  experimentRoutes,
  type Destination,
  type HeaderMatch,
  type MeshRoute,
  type RouteMatch,
} from './split.js'
import type { ExportOptions, ExportResult, ImportResult } from './types.js'

export const ISTIO_API_VERSION = 'networking.istio.io/v1'

const HTTP_HINTS: Record<string, string> = {
  rewrite: 'rewrites are not part of a split: not carried over',
  redirect: 'a redirect is not a split: not carried over',
  directResponse: 'a direct response is not a split: not carried over',
  delegate: 'delegation to another VirtualService: import that one; not carried over',
  timeout: 'timeouts: set them on your HTTP client or proxy; not carried over',
  retries: 'retries: see the fallback guide (retry on control); not carried over',
  fault: 'fault injection: not carried over',
  mirror: 'mirroring: see the shadow traffic guide; not carried over',
  mirrors: 'mirroring: see the shadow traffic guide; not carried over',
  mirrorPercentage: 'mirroring: see the shadow traffic guide; not carried over',
  mirror_percent: 'mirroring: see the shadow traffic guide; not carried over',
  corsPolicy: 'CORS is not part of a split: not carried over',
  headers: 'header changes are not part of a split: not carried over',
}

/**
 * A VirtualService as experiments. Each `http[]` entry's `route[]` is a split (weights relative; a lone destination takes
 * every request whatever its weight, as Istio routes it; several without weights take none); a catch-all entry with
 * header-matching entries before it becomes one experiment whose targeting rules test those headers, in Istio's order
 * (first match wins).
 */
export function importVirtualService(document: unknown): ImportResult {
  const report = createReport()
  const root = entryRecord(document, [])
  const { name, namespace } = readMetadata(root, 'virtualservice')
  report.account(root, [], ['apiVersion', 'kind', 'metadata', 'spec'], ['status'])
  const spec = readRecord(root, 'spec', [])
  // hosts, gateways and exportTo say which traffic the service attaches to, not how it splits
  report.account(spec, ['spec'], ['http'], ['hosts', 'gateways', 'exportTo'], {
    tcp: 'TCP routes: splitlane splits HTTP requests and calls; not carried over',
    tls: 'TLS routes: splitlane splits HTTP requests and calls; not carried over',
  })
  const routes: MeshRoute[] = []
  let shadowedFrom: number | undefined
  readList(spec, 'http', ['spec']).forEach((value, index) => {
    const path = ['spec', 'http', index]
    const http = entryRecord(value, path)
    if (shadowedFrom !== undefined)
      return report.warn(path, `unreachable: spec.http[${shadowedFrom}] matches every request first; not carried over`)
    report.account(http, path, ['route', 'match', 'name'], [], HTTP_HINTS)
    const destinations = readList(http, 'route', path)
    const label = readString(http, 'name', path) ?? String(index)
    const match = httpMatch(http, path, report)
    if (destinations.length === 0) return report.warn([...path, 'route'], 'no route: not a split; not carried over')
    if (match.kind === 'all') shadowedFrom = index
    routes.push({
      path,
      label,
      weightsPath: [...path, 'route'],
      matchPath: [...path, 'match'],
      destinations: destinations.map((entry, at) => destination(entry, namespace, destinations.length, [...path, 'route', at], report)),
      match,
    })
  })
  const experiments = buildExperiments({ name, source: `VirtualService ${name}`, routes, report })
  return { kind: 'VirtualService', name, config: { version: 1, experiments }, plans: [], warnings: report.warnings }
}

function destination(value: unknown, namespace: string, count: number, path: Path, report: Report) {
  const entry = entryRecord(value, path)
  report.account(entry, path, ['destination', 'weight'], [], { headers: 'header changes are not part of a split: not carried over' })
  const targetPath = [...path, 'destination']
  const target = readRecord(entry, 'destination', path)
  report.account(target, targetPath, ['host', 'subset', 'port'])
  const host = readString(target, 'host', targetPath) ?? 'unknown'
  const subset = readString(target, 'subset', targetPath)
  const port = readNumber(
    readRecord(target, 'port', targetPath),
    'number',
    [...targetPath, 'port'],
    'a port number 1..65535',
    (n) => Number.isInteger(n) && n >= 1 && n <= 65535,
  )
  if (subset !== undefined)
    report.warn(
      [...targetPath, 'subset'],
      `subset ${subset} is picked by the mesh from pod labels; in the process it has the address of ${host}: give each version its own Service and edit the url (export keeps the subset)`,
    )
  const written = readNumber(entry, 'weight', path, 'a weight (a number >= 0)', isWeight)
  // Istio: a lone destination takes every request whatever its weight; several without weights take none
  const weight = count === 1 ? 100 : (written ?? 0)
  const short = host.split('.')[0]!
  const url = serviceUrl({ name: host, namespace, ...(port === undefined ? {} : { port }) })
  const names =
    subset === undefined ? [short, `${short}-${port ?? ''}`] : [subset, `${short}-${subset}`, `${short}-${subset}-${port ?? ''}`]
  const result: Destination = {
    key: `${host}|${subset ?? ''}|${port ?? ''}`,
    names,
    value: variantValue(url, subset === undefined ? {} : { subset }),
  }
  return { destination: result, weight }
}

const STRING_MATCHES = ['exact', 'prefix', 'regex'] as const

function httpMatch(http: Record<string, unknown>, httpPath: Path, report: Report): RouteMatch {
  const path = [...httpPath, 'match']
  const matches = readList(http, 'match', httpPath)
  if (matches.length === 0) return { kind: 'all' }
  const conditions: Condition[] = []
  const other: string[] = []
  let catchAll = false
  matches.forEach((entry, index) => {
    const at = [...path, index]
    const match = entryRecord(entry, at)
    const tests = Object.keys(match).filter((key) => key !== 'name')
    if (tests.length === 0) catchAll = true
    for (const key of tests) if (key !== 'headers') other.push(key)
    const headers = Object.entries(readRecord(match, 'headers', at)).flatMap(([header, value]) => {
      const test = entryRecord(value, [...at, 'headers', header])
      const kind = STRING_MATCHES.find((k) => Object.hasOwn(test, k) && typeof test[k] === 'string')
      if (kind === undefined) {
        report.warn([...at, 'headers', header], 'only exact, prefix and regex header matches are supported')
        other.push(`header ${header}`)
        return []
      }
      return [headerCondition(header, kind, test[kind] as string)]
    })
    if (headers.length > 0) conditions.push(allOf(headers))
  })
  if (catchAll) return { kind: 'all' }
  if (other.length > 0) return { kind: 'other', summary: `match on ${[...new Set(other)].join(', ')}`, path }
  return { kind: 'headers', condition: anyOf(conditions) }
}

/**
 * An experiment as a VirtualService: header-matching `http` entries from targeting rules, then the weighted
 * catch-all. Variants that share one host become subsets named after them (define them in a DestinationRule).
 */
export function exportVirtualService(config: SplitlaneConfig, experiment: string, options: ExportOptions = {}): ExportResult {
  const parsed = parseConfig(config)
  const report = createReport()
  const routes = experimentRoutes(parsed, experiment, report)
  const variants = experimentOf(parsed, experiment).variants
  const addresses = variants.map((variant, index) => {
    const address = serviceAddress(variant.value)
    const path = ['experiments', experiment, 'variants', index, 'value']
    const { subset, group, kind } = meshTargetOf(variant.value)
    if (group !== undefined || kind !== undefined)
      report.warn([...path, 'mesh'], `Gateway API backend ${group ?? ''}/${kind ?? 'Service'} has no Istio equivalent: exported as a host`)
    const kept = subset === undefined ? {} : { subset }
    if (address === null) {
      report.warn(path, 'not a URL: destination host named after the variant')
      return { host: variant.name, ...kept }
    }
    if (address.path !== '') report.warn(path, `path ${address.path} needs a rewrite: not exported`)
    const host = address.inCluster ? `${address.name}.${address.namespace}.svc.cluster.local` : address.name
    return { host, ...kept, ...(address.port === undefined ? {} : { port: { number: address.port } }) }
  })
  // variants that share a host and port and have no subset of their own are told apart by subsets named after them
  const sharing = new Map<string, number>()
  const place = (address: (typeof addresses)[number]) => `${address.host}:${address.port?.number ?? ''}`
  for (const address of addresses) if (address.subset === undefined) sharing.set(place(address), (sharing.get(place(address)) ?? 0) + 1)
  const destinationOf = new Map(
    variants.map((variant, index) => {
      const address = addresses[index]!
      const shared = address.subset === undefined && sharing.get(place(address))! > 1
      return [variant.name, { ...address, ...(shared ? { subset: variant.name } : {}) }]
    }),
  )
  if ([...sharing.values()].some((count) => count > 1))
    report.warn(
      ['experiments', experiment, 'variants'],
      'variants share a host and port: exported as subsets named after the variants; define them in a DestinationRule',
    )
  const hosts = addresses.map((address) => address.host)
  const http = routes.map((route) => ({
    name: route.id ?? 'default',
    ...(route.matches === null
      ? {}
      : { match: route.matches.map((headers) => ({ headers: Object.fromEntries(headers.map(toStringMatch)) })) }),
    route: route.weights.map(({ variant, weight }) => ({ destination: destinationOf.get(variant)!, weight })),
  }))
  const mainHost = hosts[0] ?? experiment
  return {
    manifest: {
      apiVersion: ISTIO_API_VERSION,
      kind: 'VirtualService',
      metadata: { name: options.name ?? experiment, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
      spec: { hosts: [mainHost], http },
    },
    warnings: report.warnings,
  }
}

function toStringMatch(match: HeaderMatch): [string, Record<string, string>] {
  return [match.name.toLowerCase(), { [match.type]: match.value }]
}
