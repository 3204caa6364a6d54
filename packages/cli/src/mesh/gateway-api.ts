// Gateway API HTTPRoute (gateway.networking.k8s.io/v1) <-> splitlane experiments.
import { parseConfig, type Condition, type SplitlaneConfig } from '@splitlane/core'
import { allOf, anyOf, asArray, asRecord, createReport, headerCondition, portOf, serviceAddress, serviceUrl, type Path } from './common.js'
import {
  buildExperiments,
  escapeRegex,
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
  const root = asRecord(document)
  const metadata = asRecord(root.metadata)
  const name = typeof metadata.name === 'string' ? metadata.name : 'httproute'
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default'
  report.account(root, [], ['apiVersion', 'kind', 'metadata', 'spec'], ['status'])
  const spec = asRecord(root.spec)
  // parentRefs and hostnames say where the route attaches, not how it splits
  report.account(spec, ['spec'], ['rules'], ['parentRefs', 'hostnames'])
  const routes: MeshRoute[] = []
  asArray(spec.rules).forEach((value, index) => {
    const path = ['spec', 'rules', index]
    const rule = asRecord(value)
    report.account(rule, path, ['backendRefs', 'matches', 'name'], [], RULE_HINTS)
    const refs = asArray(rule.backendRefs)
    if (refs.length === 0) return report.warn([...path, 'backendRefs'], 'no backendRefs: not a split; rule not carried over')
    const destinations = refs.map((ref, refIndex) => backend(asRecord(ref), namespace, [...path, 'backendRefs', refIndex], report))
    const label = typeof rule.name === 'string' ? rule.name : String(index)
    routes.push({
      path,
      label,
      weightsPath: [...path, 'backendRefs'],
      matchPath: [...path, 'matches'],
      destinations,
      match: ruleMatch(rule.matches, [...path, 'matches'], report),
    })
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

function backend(ref: Record<string, unknown>, namespace: string, path: Path, report: ReturnType<typeof createReport>) {
  report.account(ref, path, ['name', 'namespace', 'port', 'weight', 'group', 'kind'], [], {
    filters: 'per-backend filters are not part of a split: not carried over',
  })
  const kind = typeof ref.kind === 'string' ? ref.kind : 'Service'
  const group = typeof ref.group === 'string' ? ref.group : ''
  if (kind !== 'Service' || group !== '')
    report.warn(
      [...path, 'kind'],
      `backend ${group ? `${group}/` : ''}${kind} is not a core Service: its value is the address a Service of that name would have`,
    )
  const name = typeof ref.name === 'string' ? ref.name : 'backend'
  const ns = typeof ref.namespace === 'string' ? ref.namespace : namespace
  const port = typeof ref.port === 'number' ? ref.port : undefined
  const weight = ref.weight === undefined ? 1 : typeof ref.weight === 'number' ? ref.weight : 0
  const destination: Destination = {
    key: `${ns}/${name}:${port ?? ''}`,
    names: [name, `${name}-${ns}`, `${name}-${ns}-${port ?? ''}`],
    value: serviceUrl({ name, namespace: ns, ...(port === undefined ? {} : { port }) }),
  }
  return { destination, weight }
}

function ruleMatch(value: unknown, path: Path, report: ReturnType<typeof createReport>): RouteMatch {
  const matches = asArray(value)
  if (matches.length === 0) return { kind: 'all' }
  const conditions: Condition[] = []
  const other: string[] = []
  let catchAll = false
  matches.forEach((entry, index) => {
    const match = asRecord(entry)
    const at = [...path, index]
    report.account(match, at, ['path', 'headers', 'queryParams', 'method'])
    const pathMatch = asRecord(match.path)
    const pathType = typeof pathMatch.type === 'string' ? pathMatch.type : 'PathPrefix'
    const pathValue = typeof pathMatch.value === 'string' ? pathMatch.value : '/'
    const everyPath = pathType === 'PathPrefix' && pathValue === '/'
    if (!everyPath) other.push(`path ${pathType} ${pathValue}`)
    if (match.method !== undefined) other.push(`method ${JSON.stringify(match.method)}`)
    if (asArray(match.queryParams).length > 0) other.push('query parameters')
    const headers = asArray(match.headers).map((header) => {
      const h = asRecord(header)
      const type = h.type === 'RegularExpression' ? 'regex' : 'exact'
      return headerCondition(String(h.name), type, String(h.value))
    })
    if (headers.length > 0) conditions.push(allOf(headers))
    else if (everyPath && match.method === undefined && asArray(match.queryParams).length === 0) catchAll = true
  })
  // a match with no tests takes every request, whatever the others test
  if (catchAll) return { kind: 'all' }
  if (other.length > 0) return { kind: 'other', summary: other.join(', '), path }
  return { kind: 'headers', condition: anyOf(conditions) }
}

/** An experiment as an HTTPRoute: header-matching rules from targeting rules, then the weighted catch-all. */
export function exportHttpRoute(config: SplitlaneConfig, experiment: string, options: ExportOptions = {}): ExportResult {
  const parsed = parseConfig(config)
  const report = createReport()
  const routes = experimentRoutes(parsed, experiment, report)
  const variants = parsed.experiments[experiment]!.variants
  const refOf = new Map(
    variants.map((variant, index) => {
      const address = serviceAddress(variant.value)
      const path = ['experiments', experiment, 'variants', index, 'value']
      if (address === null || !address.inCluster) {
        report.warn(
          path,
          'not a cluster Service URL (http://<name>.<namespace>.svc.cluster.local:<port>): backendRef named after the variant',
        )
        return [variant.name, { name: variant.name, port: address === null ? 80 : portOf(address) }]
      }
      if (address.path !== '') report.warn(path, `path ${address.path} needs a URLRewrite filter: not exported`)
      const namespace = address.namespace !== undefined && address.namespace !== options.namespace ? { namespace: address.namespace } : {}
      return [variant.name, { name: address.name, ...namespace, port: portOf(address) }]
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
