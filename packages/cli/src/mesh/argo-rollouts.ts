// Argo Rollouts Rollout (argoproj.io/v1alpha1) canary steps <-> a splitlane experiment and rollout plan.
import { parseConfig, type SplitlaneConfig, type VariantConfig } from '@splitlane/core'
import { type RolloutPlan, type RolloutStep } from '@splitlane/core/rollout'
import { formatPath } from '@splitlane/core/adapter'
import {
  createReport,
  entryRecord,
  ManifestError,
  readList,
  readMetadata,
  readRecord,
  readString,
  serviceAddress,
  serviceUrl,
  wrongType,
  type Path,
  type Report,
} from './common.js'
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

// Go's time.ParseDuration units, in milliseconds
const GO_UNITS = new Map<string, number>([
  ['ns', 1e-6],
  ['us', 1e-3],
  ['\u00b5s', 1e-3],
  ['\u03bcs', 1e-3],
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
])
const GO_PART = /(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y

/**
 * Argo's pause duration in milliseconds, read as Argo reads it (RolloutPause.DurationSeconds): an integer of seconds
 * (`30`, `"30"`), or a Go duration as time.ParseDuration reads it (`30s`, `1h30m`, `1.5h`, `500ms`, `"0"`), truncated to
 * whole seconds as Argo does (`1.5s` pauses 1 s, `500ms` 0 s); `null` when it is neither, or negative.
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value * 1000 : null
  if (typeof value !== 'string') return null
  if (/^\+?\d{1,9}$/.test(value)) return Number(value) * 1000
  const ms = parseGoDuration(value)
  return ms === null ? null : Math.trunc(ms / 1000) * 1000
}

/** Go's time.ParseDuration in milliseconds (unsigned or `+`; a negative pause means nothing), or `null`. */
export function parseGoDuration(text: string): number | null {
  const unsigned = text.startsWith('+') ? text.slice(1) : text
  if (unsigned === '0') return 0
  if (unsigned === '' || unsigned.length > 100) return null
  let total = 0
  GO_PART.lastIndex = 0
  while (GO_PART.lastIndex < unsigned.length) {
    const at = GO_PART.lastIndex
    const part = GO_PART.exec(unsigned)
    if (part === null || part.index !== at) return null
    total += Number(part[1]) * GO_UNITS.get(part[2]!)!
  }
  return Number.isFinite(total) ? total : null
}

const UNITS = { h: 3_600_000, m: 60_000, s: 1000 }

/** `600000` -> `10m`, `5400000` -> `1h30m`: a Go duration that gives the same milliseconds back. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  let left = ms
  let text = ''
  for (const [unit, size] of [...Object.entries(UNITS), ['ms', 1] as const]) {
    const count = Math.floor(left / size)
    if (count > 0) text += `${count}${unit}`
    left -= count * size
  }
  return text
}

/**
 * A Rollout's canary strategy as an experiment (`stable` and `canary`, the canary at weight 0 until the plan
 * raises it) and a rollout plan with its setWeight, pause and analysis steps.
 */
export function importRollout(document: unknown): ImportResult {
  const report = createReport()
  const root = entryRecord(document, [])
  const { name, namespace } = readMetadata(root, 'rollout')
  report.account(root, [], ['apiVersion', 'kind', 'metadata', 'spec'], ['status'])
  const spec = readRecord(root, 'spec', [])
  report.account(spec, ['spec'], ['strategy'], DEPLOYMENT_FIELDS)
  const strategy = readRecord(spec, 'strategy', ['spec'])
  report.account(strategy, ['spec', 'strategy'], ['canary'], [], {
    blueGreen: 'blue/green: a splitlane plan [{ setWeight: 0 }, { pause: {} }] and promote() does the switch; not carried over',
  })
  const base = ['spec', 'strategy', 'canary']
  const canary = readRecord(strategy, 'canary', ['spec', 'strategy'])
  report.account(canary, base, ['steps', 'canaryService', 'stableService'], SCALING_FIELDS, CANARY_HINTS)
  const valueOf = (field: string) => {
    const service = readString(canary, field, base)
    return service === undefined ? {} : { value: serviceUrl({ name: service, namespace }) }
  }
  const variants: VariantConfig[] = [
    { name: 'stable', weight: 1, ...valueOf('stableService') },
    { name: 'canary', weight: 0, ...valueOf('canaryService') },
  ]
  const steps = readList(canary, 'steps', base).flatMap((step, index) => toStep(step, [...base, 'steps', index], report))
  const plan: RolloutPlan = { experiment: name, canary: 'canary', baseline: 'stable', steps }
  const config: SplitlaneConfig = {
    version: 1,
    experiments: { [name]: { variants, description: `Imported from Rollout ${name}; the rollout plan moves the canary's weight.` } },
  }
  return { kind: 'Rollout', name, config, plans: [plan], warnings: report.warnings }
}

function toStep(value: unknown, path: Path, report: Report): RolloutStep[] {
  const step = entryRecord(value, path)
  report.account(step, path, ['setWeight', 'pause', 'analysis'], [], STEP_HINTS)
  const out: RolloutStep[] = []
  if (Object.hasOwn(step, 'setWeight') && step.setWeight !== null) {
    const weight = step.setWeight
    if (typeof weight === 'number' && weight >= 0 && weight <= 100) out.push({ setWeight: weight })
    else wrongType([...path, 'setWeight'], 'a percentage 0..100', weight)
  }
  if (Object.hasOwn(step, 'pause') && step.pause !== null) {
    const pause = readRecord(step, 'pause', path)
    report.account(pause, [...path, 'pause'], ['duration'])
    const duration = Object.hasOwn(pause, 'duration') ? pause.duration : undefined
    if (duration === undefined || duration === null) out.push({ pause: {} })
    else {
      const durationMs = parseDuration(duration)
      const exact = typeof duration === 'string' ? parseGoDuration(duration) : null
      if (durationMs !== null && exact !== null && exact !== durationMs)
        report.warn(
          [...path, 'pause', 'duration'],
          `${duration as string}: Argo pauses whole seconds, ${durationMs / 1000} s; imported as Argo runs it`,
        )
      if (durationMs === null)
        throw new ManifestError(
          formatPath([...path, 'pause', 'duration']),
          `expected seconds or a Go duration like 30s, 10m, 1h30m, 1.5h, 500ms, received ${JSON.stringify(duration)}`,
        )
      out.push({ pause: { durationMs } })
    }
  }
  if (Object.hasOwn(step, 'analysis') && step.analysis !== null) {
    const analysis = readRecord(step, 'analysis', path)
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
  const experiment = Object.hasOwn(parsed.experiments, plan.experiment) ? parsed.experiments[plan.experiment] : undefined
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
      if (ms % 1000 !== 0) report.warn([...path, 'pause', 'durationMs'], `${ms} ms: Argo pauses whole seconds, ${Math.floor(ms / 1000)} s`)
      return { pause: { duration: formatDuration(Math.floor(ms / 1000) * 1000) } }
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
