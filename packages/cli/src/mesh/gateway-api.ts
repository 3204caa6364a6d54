// Gateway API HTTPRoute (gateway.networking.k8s.io/v1) <-> splitlane experiments.
import { parseConfig, type Condition, type SplitlaneConfig } from '@splitlane/core'
import {
  allOf,
  anyOf,
  createReport,
  entryRecord,
  headerCondition,
  isWeight,
  meshTargetOf,
  portOf,
  type ServiceAddress,
  readList,
  readMetadata,
  readNumber,
  readRecord,
  readString,
  serviceAddress,
  serviceUrl,
  variantValue,
  type Path,
} from './common.js'
import {
  buildExperiments,
  escapeRegex,
  experimentOf,
  experimentRoutes,
  type Destination,
  type HeaderMatch,
  type MeshRoute,
  type RouteMatch,
} from './split.js'
import type { ExportOptions, ExportResult, ImportResult } from './types.js'

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1'

const RULE_HINTS: Record<string, string> = {
  filters: 'filters (header changes, redirects, rewrites, mirrors) are not part of a split: not carried over',
  timeouts: 'timeouts: set them on your HTTP client or proxy; not carried over',
  retry: 'retries: see the fallback guide (retry on control); not carried over',
  sessionPersistence:
    'splitlane keeps a unit on its variant by its key (mode: sticky, bucketBy), not by a mesh cookie or header: not carried over',
}

/**
 * An HTTPRoute as experiments. Each rule's weighted backendRefs are a split (weight: default 1, 0 means none,
 * relative); a catch-all rule with header-matching rules becomes one experiment whose targeting rules test
 * those headers. Backends become variants whose value is `http://<name>.<namespace>.svc.cluster.local:<port>`.
 */
export function importHttpRoute(document: unknown): ImportResult {
  const report = createReport()
  const root = entryRecord(document, [])
  const { name, namespace } = readMetadata(root, 'httproute')
  report.account(root, [], ['apiVersion', 'kind', 'metadata', 'spec'], ['status'])
  const spec = readRecord(root, 'spec', [])
  // parentRefs and hostnames say where the route attaches, not how it splits
  report.account(spec, ['spec'], ['rules'], ['parentRefs', 'hostnames'])
  const routes: MeshRoute[] = []
  readList(spec, 'rules', ['spec']).forEach((value, index) => {
    const path = ['spec', 'rules', index]
    const rule = entryRecord(value, path)
    report.account(rule, path, ['backendRefs', 'matches', 'name'], [], RULE_HINTS)
    const refs = readList(rule, 'backendRefs', path)
    const label = readString(rule, 'name', path) ?? String(index)
    const match = ruleMatch(rule, path, report)
    if (refs.length === 0) return report.warn([...path, 'backendRefs'], 'no backendRefs: not a split; rule not carried over')
    const destinations = refs.map((ref, refIndex) => backend(ref, namespace, [...path, 'backendRefs', refIndex], report))
    routes.push({ path, label, weightsPath: [...path, 'backendRefs'], matchPath: [...path, 'matches'], destinations, match })
  })
  // Gateway API precedence: among matches on the same path, more header matches win; rules in order otherwise
  const headerCount = (route: MeshRoute) => (route.match.kind === 'headers' ? countHeaders(route.match.condition) : 0)
  const ordered = routes
    .map((route, index) => ({ route, index }))
    .sort((a, b) => headerCount(b.route) - headerCount(a.route) || a.index - b.index)
    .map(({ route }) => route)
  const experiments = buildExperiments({ name, source: `HTTPRoute ${name}`, routes: ordered, report })
  return { kind: 'HTTPRoute', name, config: { version: 1, experiments }, plans: [], warnings: report.warnings }
}

function countHeaders(condition: Condition): number {
  if ('any' in condition) return Math.max(...condition.any.map(countHeaders))
  if ('all' in condition) return condition.all.length
  return 1
}

const PORT = 'a port number 1..65535'
const isPort = (value: number) => Number.isInteger(value) && value >= 1 && value <= 65535

function backend(value: unknown, namespace: string, path: Path, report: ReturnType<typeof createReport>) {
  const ref = entryRecord(value, path)
  report.account(ref, path, ['name', 'namespace', 'port', 'weight', 'group', 'kind'], [], {
    filters: 'per-backend filters are not part of a split: not carried over',
  })
  const kind = readString(ref, 'kind', path) ?? 'Service'
  const group = readString(ref, 'group', path) ?? ''
  // group and kind are kept in the value, so that export writes them back; the in-process address is a Service's
  if (kind !== 'Service' || group !== '')
    report.warn(
      [...path, 'kind'],
      `backend ${group ? `${group}/` : ''}${kind} is not a core Service: its value is the address a Service of that name would have`,
    )
  const name = readString(ref, 'name', path) ?? 'backend'
  const ns = readString(ref, 'namespace', path) ?? namespace
  const port = readNumber(ref, 'port', path, PORT, isPort)
  // Gateway API: an unset weight (missing or null) is 1
  const weight = readNumber(ref, 'weight', path, 'a weight (a number >= 0)', isWeight) ?? 1
  const mesh = { ...(group === '' ? {} : { group }), ...(kind === 'Service' ? {} : { kind }) }
  const destination: Destination = {
    key: `${group}/${kind}/${ns}/${name}:${port ?? ''}`,
    names: [name, `${name}-${ns}`, `${name}-${ns}-${port ?? ''}`],
    value: variantValue(serviceUrl({ name, namespace: ns, ...(port === undefined ? {} : { port }) }), mesh),
  }
  return { destination, weight }
}

function ruleMatch(rule: Record<string, unknown>, rulePath: Path, report: ReturnType<typeof createReport>): RouteMatch {
  const path = [...rulePath, 'matches']
  const matches = readList(rule, 'matches', rulePath)
  if (matches.length === 0) return { kind: 'all' }
  const conditions: Condition[] = []
  const other: string[] = []
  let catchAll = false
  matches.forEach((entry, index) => {
    const at = [...path, index]
    const match = entryRecord(entry, at)
    report.account(match, at, ['path', 'headers', 'queryParams', 'method'])
    const pathMatch = readRecord(match, 'path', at)
    const pathType = readString(pathMatch, 'type', [...at, 'path']) ?? 'PathPrefix'
    const pathValue = readString(pathMatch, 'value', [...at, 'path']) ?? '/'
    const method = readString(match, 'method', at)
    const queryParams = readList(match, 'queryParams', at)
    const everyPath = pathType === 'PathPrefix' && pathValue === '/'
    if (!everyPath) other.push(`path ${pathType} ${pathValue}`)
    if (method !== undefined) other.push(`method ${method}`)
    if (queryParams.length > 0) other.push('query parameters')
    const headers = readList(match, 'headers', at).map((header, headerIndex) => {
      const headerPath = [...at, 'headers', headerIndex]
      const h = entryRecord(header, headerPath)
      const type = readString(h, 'type', headerPath) === 'RegularExpression' ? 'regex' : 'exact'
      return headerCondition(readString(h, 'name', headerPath) ?? '', type, readString(h, 'value', headerPath) ?? '')
    })
    if (headers.length > 0) conditions.push(allOf(headers))
    else if (everyPath && method === undefined && queryParams.length === 0) catchAll = true
  })
  // a match with no tests takes every request, whatever the others test
  if (catchAll) return { kind: 'all' }
  if (other.length > 0) return { kind: 'other', summary: other.join(', '), path }
  return { kind: 'headers', condition: anyOf(conditions) }
}

const SECTION_NAME = /^[a-z0-9](?:[-a-z0-9]{0,251}[a-z0-9])?$/

/** An experiment as an HTTPRoute: header-matching rules from targeting rules, then the weighted catch-all. */
export function exportHttpRoute(config: SplitlaneConfig, experiment: string, options: ExportOptions = {}): ExportResult {
  const parsed = parseConfig(config)
  const report = createReport()
  const routes = experimentRoutes(parsed, experiment, report)
  const variants = experimentOf(parsed, experiment).variants
  const refOf = new Map(
    variants.map((variant, index) => {
      const address = serviceAddress(variant.value)
      const path = ['experiments', experiment, 'variants', index, 'value']
      const { subset, group, kind } = meshTargetOf(variant.value)
      if (subset !== undefined)
        report.warn([...path, 'mesh', 'subset'], `Istio subset ${subset} has no Gateway API equivalent: not exported`)
      const target = { ...(group === undefined ? {} : { group }), ...(kind === undefined ? {} : { kind }) }
      // a Service needs a port: the URL's, or its scheme's default; other kinds keep what the URL says
      const port = (address: ServiceAddress) =>
        address.port !== undefined || kind === undefined || kind === 'Service' ? { port: portOf(address) } : {}
      if (address === null || !address.inCluster) {
        report.warn(
          path,
          'not a cluster Service URL (http://<name>.<namespace>.svc.cluster.local:<port>): backendRef named after the variant',
        )
        return [variant.name, { ...target, name: variant.name, ...(address === null ? { port: 80 } : port(address)) }]
      }
      if (address.path !== '') report.warn(path, `path ${address.path} needs a URLRewrite filter: not exported`)
      const namespace = address.namespace !== undefined && address.namespace !== options.namespace ? { namespace: address.namespace } : {}
      return [variant.name, { ...target, name: address.name, ...namespace, ...port(address) }]
    }),
  )
  const seen = new Map<string, string>()
  for (const [variant, ref] of refOf) {
    const key = JSON.stringify(ref)
    const other = seen.get(key)
    if (other !== undefined)
      report.warn(
        ['experiments', experiment, 'variants'],
        `variants "${other}" and "${variant}" reach the same Service ${ref.name}: the route cannot tell them apart (give each version its own Service)`,
      )
    else seen.set(key, variant)
  }
  const rules = routes.map((route) => ({
    // the rule id as the rule's name (a Gateway API section name), so that import gives the same id back
    ...(route.id !== undefined && SECTION_NAME.test(route.id) ? { name: route.id } : {}),
    ...(route.matches === null ? {} : { matches: route.matches.map((headers) => ({ headers: headers.map(toHeaderMatch) })) }),
    backendRefs: route.weights.map(({ variant, weight }) => ({ ...refOf.get(variant)!, weight })),
  }))
  return {
    manifest: {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'HTTPRoute',
      metadata: { name: options.name ?? experiment, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
      spec: { rules },
    },
    warnings: report.warnings,
  }
}

function toHeaderMatch(match: HeaderMatch) {
  if (match.type === 'exact') return { name: match.name, value: match.value }
  const value = match.type === 'prefix' ? `${escapeRegex(match.value)}.*` : match.value
  return { type: 'RegularExpression', name: match.name, value }
}
