// Which converter reads a document, and the exporters by target.
import { asRecord } from './common.js'
import { importHttpRoute } from './gateway-api.js'
import { importVirtualService } from './istio.js'
import { importRollout } from './argo-rollouts.js'
import type { ImportResult } from './types.js'

export { importHttpRoute, exportHttpRoute } from './gateway-api.js'
export { importVirtualService, exportVirtualService } from './istio.js'
export { importRollout, exportRollout } from './argo-rollouts.js'
export type { ImportResult, ExportResult, ExportOptions, ExportTarget, MeshKind, MeshWarning } from './types.js'

const IMPORTERS: readonly { apiVersions: readonly string[]; kind: string; convert: (document: unknown) => ImportResult }[] = [
  { apiVersions: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'], kind: 'HTTPRoute', convert: importHttpRoute },
  {
    apiVersions: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
    kind: 'VirtualService',
    convert: importVirtualService,
  },
  { apiVersions: ['argoproj.io/v1alpha1'], kind: 'Rollout', convert: importRollout },
]

/** The kinds `import` reads, as `apiVersion kind`. */
export const SUPPORTED_KINDS = IMPORTERS.flatMap(({ apiVersions, kind }) => apiVersions.map((apiVersion) => `${apiVersion} ${kind}`))

/** Converts a document by its apiVersion and kind; a string says why it is not supported. */
export function importDocument(document: unknown): ImportResult | string {
  const { apiVersion, kind } = asRecord(document)
  const importer = IMPORTERS.find((entry) => entry.kind === kind && entry.apiVersions.includes(String(apiVersion)))
  if (importer !== undefined) return importer.convert(document)
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return 'not a Kubernetes resource (no apiVersion and kind)'
  return `${apiVersion} ${kind} is not supported (supported: HTTPRoute, VirtualService, Rollout)`
}
