import type { SplitlaneConfig } from '@splitlane/core'
import type { RolloutPlan } from '@splitlane/core/rollout'

/** Something in the source that was not carried over (or was carried over with a change), by its path. */
export interface MeshWarning {
  /** Where in the source document, e.g. `spec.rules[0].filters`. */
  readonly path: string
  readonly message: string
}

/** What an importer gives: a config (experiments by name), a rollout plan for Argo Rollouts, and every warning. */
export interface ImportResult {
  readonly kind: MeshKind
  /** `metadata.name` of the source. */
  readonly name: string
  readonly config: SplitlaneConfig
  readonly plans: readonly RolloutPlan[]
  readonly warnings: readonly MeshWarning[]
}

/** What an exporter gives: one Kubernetes manifest and every warning. */
export interface ExportResult {
  readonly manifest: Record<string, unknown>
  readonly warnings: readonly MeshWarning[]
}

export type MeshKind = 'HTTPRoute' | 'VirtualService' | 'Rollout'

export type ExportTarget = 'gateway-api' | 'istio' | 'argo-rollouts'

export interface ExportOptions {
  /** `metadata.name` of the manifest; default: the experiment's name. */
  readonly name?: string
  /** `metadata.namespace` of the manifest; default: none (kubectl's current namespace). */
  readonly namespace?: string
}
