// Argo Rollouts Rollout (argoproj.io/v1alpha1) canary steps <-> a splitlane experiment and rollout plan.
import { parseConfig, type RolloutPlan, type RolloutStep, type SplitlaneConfig, type VariantConfig } from '@splitlane/core'
import { asArray, asRecord, createReport, serviceAddress, serviceUrl, type Path, type Report } from './common.js'
import type { ExportOptions, ExportResult, ImportResult } from './types.js'

export const ARGO_ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1'

/** Fields of a Rollout that shape pods and ReplicaSets, not the split. */
const DEPLOYMENT_FIELDS = [
  'replicas',
  'selector',
  'template',
  'workloadRef',
  'revisionHistoryLimit',
  'minReadySeconds',
  'progressDeadlineSeconds',
  'progressDeadlineAbort',
  'paused',
  'restartAt',
  'rollbackWindow',
  'analysis',
]
const SCALING_FIELDS = [
  'maxSurge',
  'maxUnavailable',
  'scaleDownDelaySeconds',
  'scaleDownDelayRevisionLimit',
  'abortScaleDownDelaySeconds',
  'dynamicStableScale',
  'antiAffinity',
  'canaryMetadata',
  'stableMetadata',
  'minPodsPerReplicaSet',
  'replicaProgressThreshold',
]

const CANARY_HINTS: Record<string, string> = {
  trafficRouting: 'splitlane routes inside the process; the mesh or ingress routing Argo drives is not carried over',
  analysis: 'background analysis: use the plan guardrails (SLO burn rates checked on every tick) instead; not carried over',
  pingPong: 'ping-pong services: not carried over',
}

const STEP_HINTS: Record<string, string> = {
  setCanaryScale: 'pod scaling is not part of a split: step not carried over',
  setHeaderRoute: 'header routes: add a targeting rule pinning the header to the canary instead; step not carried over',
  setMirrorRoute: 'mirroring: see the shadow traffic guide; step not carried over',
  experiment: 'Argo experiments (extra ReplicaSets) have no splitlane equivalent: step not carried over',
  plugin: 'step plugins: step not carried over',
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 }

/** Argo's pause duration: seconds as a number or digits, or a number with s, m or h. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null
  if (typeof value !== 'string') return null
  const match = /^(\d+)([smh]?)$/.exec(value.trim())
  return match ? Number(match[1]) * UNITS[match[2] || 's']! : null
}

/** `600000` -> `10m`: the largest unit that divides it. */
export function formatDuration(ms: number): string {
  if (ms % UNITS.h! === 0 && ms > 0) return `${ms / UNITS.h!}h`
  if (ms % UNITS.m! === 0 && ms > 0) return `${ms / UNITS.m!}m`
  return `${Math.round(ms / 1000)}s`
}

/**
 * A Rollout's canary strategy as an experiment (`stable` and `canary`, the canary at weight 0 until the plan
 * raises it) and a rollout plan with its setWeight, pause and analysis steps.
 */
export function importRollout(document: unknown): ImportResult {
  const report = createReport()
  const root = asRecord(document)
  const metadata = asRecord(root.metadata)
  const name = typeof metadata.name === 'string' ? metadata.name : 'rollout'
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default'
  report.account(root, [], ['apiVersion', 'kind', 'metadata', 'spec'], ['status'])
  const spec = asRecord(root.spec)
  report.account(spec, ['spec'], ['strategy'], DEPLOYMENT_FIELDS)
  const strategy = asRecord(spec.strategy)
  report.account(strategy, ['spec', 'strategy'], ['canary'], [], {
    blueGreen: 'blue/green: a splitlane plan [{ setWeight: 0 }, { pause: {} }] and promote() does the switch; not carried over',
  })
  const canary = asRecord(strategy.canary)
  const base = ['spec', 'strategy', 'canary']
  report.account(canary, base, ['steps', 'canaryService', 'stableService'], SCALING_FIELDS, CANARY_HINTS)
  const valueOf = (service: unknown) => (typeof service === 'string' ? { value: serviceUrl({ name: service, namespace }) } : {})
  const variants: VariantConfig[] = [
    { name: 'stable', weight: 1, ...valueOf(canary.stableService) },
    { name: 'canary', weight: 0, ...valueOf(canary.canaryService) },
  ]
  const steps = asArray(canary.steps).flatMap((step, index) => toStep(asRecord(step), [...base, 'steps', index], report))
  const plan: RolloutPlan = { experiment: name, canary: 'canary', baseline: 'stable', steps }
  const config: SplitlaneConfig = {
    version: 1,
    experiments: { [name]: { variants, description: `Imported from Rollout ${name}; the rollout plan moves the canary's weight.` } },
  }
  return { kind: 'Rollout', name, config, plans: [plan], warnings: report.warnings }
}

function toStep(step: Record<string, unknown>, path: Path, report: Report): RolloutStep[] {
  report.account(step, path, ['setWeight', 'pause', 'analysis'], [], STEP_HINTS)
  const out: RolloutStep[] = []
  if (step.setWeight !== undefined) {
    const weight = step.setWeight
    if (typeof weight === 'number' && weight >= 0 && weight <= 100) out.push({ setWeight: weight })
    else report.warn([...path, 'setWeight'], `expected a percentage 0..100, received ${JSON.stringify(weight)}: step not carried over`)
  }
  if (step.pause !== undefined) {
    const pause = asRecord(step.pause)
    report.account(pause, [...path, 'pause'], ['duration'])
    if (pause.duration === undefined) out.push({ pause: {} })
    else {
      const durationMs = parseDuration(pause.duration)
      if (durationMs === null) {
        report.warn(
          [...path, 'pause', 'duration'],
          `expected seconds or a duration like 30s, 10m, 1h, received ${JSON.stringify(pause.duration)}: paused until resumed`,
        )
        out.push({ pause: {} })
      } else out.push({ pause: { durationMs } })
    }
  }
  if (step.analysis !== undefined) {
    const analysis = asRecord(step.analysis)
    report.account(analysis, [...path, 'analysis'], [], [], {
      templates:
        "AnalysisTemplates query external metrics: the step runs splitlane's canary judge on the in-process metrics instead (set judge options in the plan)",
      args: 'analysis arguments belong to the templates: not carried over',
      dryRun: 'dry-run metrics: not carried over',
      measurementRetention: 'measurement retention: not carried over',
    })
    out.push({ analysis: {} })
  }
  return out
}

/**
 * A rollout plan as a Rollout's canary strategy: steps, and stable/canary Services from the variants' URLs.
 * The selector and pod template (or workloadRef) are yours to add: they are not part of a split.
 */
export function exportRollout(config: SplitlaneConfig, plan: RolloutPlan, options: ExportOptions = {}): ExportResult {
  const parsed = parseConfig(config)
  const report = createReport()
  const experiment = parsed.experiments[plan.experiment]
  if (experiment === undefined) throw new Error(`the plan's experiment "${plan.experiment}" is not in the config`)
  const serviceOf = (variant: string, field: string) => {
    const index = experiment.variants.findIndex((v) => v.name === variant)
    const value = experiment.variants[index]?.value ?? null
    if (value === null) return {} // no address: Argo splits by replica counts
    const address = serviceAddress(value)
    if (address?.inCluster === true) return { [field]: address.name }
    report.warn(
      ['experiments', plan.experiment, 'variants', Math.max(index, 0), 'value'],
      `not a cluster Service URL: ${field} not exported`,
    )
    return {}
  }
  const analysisName = `${plan.experiment}-analysis`
  const steps = plan.steps.map((step, index) => {
    const path = ['steps', index]
    if ('setWeight' in step) return { setWeight: step.setWeight }
    if ('pause' in step) {
      const ms = step.pause.durationMs
      if (ms === undefined) return { pause: {} }
      if (ms % 1000 !== 0) report.warn([...path, 'pause', 'durationMs'], `${ms} ms rounded to whole seconds`)
      return { pause: { duration: formatDuration(ms) } }
    }
    report.warn(
      [...path, 'analysis'],
      `the canary judge runs in the process: write an AnalysisTemplate named ${analysisName} that checks the same (error rate, latency)`,
    )
    return { analysis: { templates: [{ templateName: analysisName }] } }
  })
  if (plan.maxWeightChangePerMinute !== undefined)
    report.warn(
      ['maxWeightChangePerMinute'],
      'Argo Rollouts has no bound on how fast the weight rises: add smaller setWeight steps; not exported',
    )
  if (plan.guardrails !== undefined)
    report.warn(
      ['guardrails'],
      'SLO guardrails: use a background analysis (spec.strategy.canary.analysis) with an AnalysisTemplate; not exported',
    )
  return {
    manifest: {
      apiVersion: ARGO_ROLLOUTS_API_VERSION,
      kind: 'Rollout',
      metadata: { name: options.name ?? plan.experiment, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
      spec: {
        strategy: {
          canary: { ...serviceOf(plan.baseline, 'stableService'), ...serviceOf(plan.canary, 'canaryService'), steps },
        },
      },
    },
    warnings: report.warnings,
  }
}
