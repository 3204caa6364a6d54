// The fleet's rollout controller: one decision for every instance. Each tick it reads the config
// document (the state: the rollout's status lives inside it), reads the fleet's window from the
// metrics source when an analysis is due, runs core's `tickRollout` on it, and writes the next
// weights and status back with compare-and-swap. Instances poll the document it serves.
import { safeParseConfig } from '@splitlane/core'
import {
  abortRollout,
  analysisDue,
  promoteRollout,
  resumeRollout,
  startRollout,
  tickRollout,
  type FleetEvidence,
  type RolloutPlan,
  type RolloutState,
  type RolloutTick,
} from '@splitlane/core/rollout'
import { type FleetWindow } from '@splitlane/core/analysis'
import type { AnalysisRunView } from '@splitlane/dashboard'
import type { WindowRequest } from './source.js'
import type { ConfigStore } from './store.js'

/** What the controller reads the fleet's metrics from; `createPrometheusSource` is one. */
export interface FleetMetricsSource {
  window(request: WindowRequest): Promise<FleetWindow>
}

export interface RolloutControllerOptions {
  plan: RolloutPlan
  configStore: ConfigStore
  metricsSource: FleetMetricsSource
  /** ms since the epoch (default `Date.now`). */
  clock?: () => number
  /** Step of the range queries: one point per step and metric (default 10,000 ms). */
  stepMs?: number
  /**
   * After a weight change, metrics from this long are left out of the analysis window, so instances
   * still polling the old document and the first scrape after the change do not count (default 60 s;
   * make it two instance polls plus one scrape interval). Keep the analysis interval longer.
   */
  settleMs?: number
  /** Document text <-> object (default JSON); the CLI passes YAML for a .yaml file. */
  codec?: { parse(text: string): unknown; stringify(document: unknown): string }
  /** Called after every tick or action with the status. */
  onStatus?: (status: RolloutStatusReport) => void
}

/** What the controller writes under `rollout` in the document, and what `status()` returns. */
export interface RolloutStatusReport {
  experiment: string
  canary: string
  baseline: string
  status: RolloutState['status']
  /** 1-based step, as in explanations; `steps + 1` once every step is done. */
  step: number
  steps: number
  canaryWeight: number
  weights: Record<string, number>
  /** The config revision carrying these weights; instances on another are lagging. */
  revision: string
  reason: string | null
  decision: { at: number; action: string; explanation: string[] }
  /** Weight changes so far: the revision is `<baseRevision>.<generation>`. */
  generation: number
  baseRevision: string
  /** Everything `tickRollout` needs to continue (history included), so a restart resumes here. */
  state: RolloutState
  /** The plan being run, so that a reader of `/status` (the dashboard) can list its steps. */
  plan: RolloutPlan
  /** The last analysis runs (at most `MAX_ANALYSES`, oldest first): the judge's verdict, score and sentence per metric. */
  analyses: AnalysisRunRecord[]
}

/** One analysis run as the status keeps it (the dashboard's shape). */
export type AnalysisRunRecord = AnalysisRunView

/** Analysis runs kept in the status (and so in the document). */
export const MAX_ANALYSES = 10

export interface RolloutController {
  tick(): Promise<RolloutStatusReport>
  promote(reason?: string): Promise<RolloutStatusReport>
  abort(reason?: string): Promise<RolloutStatusReport>
  resume(): Promise<RolloutStatusReport>
  /** The last status (after `tick` or an action; null before the first). */
  status(): RolloutStatusReport | null
  /** The document as served: JSON text, the last one written or read. */
  document(): string | null
  readonly plan: RolloutPlan
  /** Ticks every `intervalMs` until `stop()`. */
  start(intervalMs: number): void
  stop(): Promise<void>
}

type Doc = Record<string, unknown> & {
  revision?: string | number
  experiments?: Record<string, { variants?: { name: string; weight?: number }[] }>
}

/** The document's revision as instances label their metrics with it. */
const revisionOf = (doc: Doc | null, fallback = '') => (doc?.revision === undefined ? fallback : String(doc.revision))

const JSON_CODEC = {
  parse: (text: string) => JSON.parse(text) as unknown,
  stringify: (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`,
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

export function createRolloutController(options: RolloutControllerOptions): RolloutController {
  const { plan, configStore: store, metricsSource } = options
  const clock = options.clock ?? Date.now
  const codec = options.codec ?? JSON_CODEC
  const stepMs = options.stepMs ?? 10_000
  const settleMs = options.settleMs ?? 60_000
  let doc: Doc | null = null
  let version: string | null = null
  let report: RolloutStatusReport | null = null
  let queue: Promise<unknown> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false

  /** One operation at a time: a tick and a promote never interleave. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  const parse = (text: string): Doc => {
    const value = codec.parse(text)
    const checked = safeParseConfig(value)
    if (!checked.success) throw new Error(checked.error.message)
    return value as Doc
  }

  /** The runs so far, with this tick's judge result if it ran one. */
  const analysesAfter = (tick: RolloutTick, now: number): AnalysisRunRecord[] => {
    const previous = report?.analyses ?? []
    const judge = tick.decision.judge
    if (judge === undefined) return previous
    const step = [...tick.state.history].reverse().find((event) => event.action === 'analysis')?.step ?? tick.state.step
    const metrics = judge.metrics.map((metric) => ({ name: metric.name, class: metric.class, reason: metric.reason }))
    return [...previous, { at: now, step, verdict: judge.verdict, score: judge.score, reason: judge.reason, metrics }].slice(-MAX_ANALYSES)
  }

  const reportOf = (tick: RolloutTick, base: Pick<RolloutStatusReport, 'generation' | 'baseRevision'>, now: number) => ({
    experiment: plan.experiment,
    canary: plan.canary,
    baseline: plan.baseline,
    status: tick.state.status,
    step: tick.state.step + 1,
    steps: plan.steps.length,
    canaryWeight: tick.state.canaryWeight,
    weights: tick.weights,
    revision: revisionOf(doc),
    reason: tick.state.reason,
    decision: { at: now, action: tick.decision.action, explanation: tick.decision.explanation },
    ...base,
    state: tick.state,
    plan,
    analyses: analysesAfter(tick, now),
  })

  /** The rollout stored in the document, if it is this plan's. */
  const storedReport = (document: Doc): RolloutStatusReport | null => {
    const stored = document.rollout as RolloutStatusReport | undefined
    if (stored === undefined || typeof stored !== 'object' || stored === null) return null
    const same = stored.experiment === plan.experiment && stored.canary === plan.canary && stored.baseline === plan.baseline
    return same && typeof stored.state === 'object' && stored.state !== null ? stored : null
  }

  /** Reads the document; an edit made since our last write wins and pauses the rollout. */
  async function load(now: number): Promise<string | null> {
    const current = await store.read()
    if (current === null) throw new Error(`the config document ${store.name} is missing`)
    if (current.version === version && doc !== null) return null
    const edited = parse(current.text)
    const first = version === null
    doc = edited
    version = current.version
    const stored = storedReport(edited)
    if (first) {
      report = stored
      return null
    }
    // Someone else wrote the document: their edit stands; the rollout waits for a human.
    if (report !== null && (report.status === 'progressing' || report.status === 'paused')) {
      const reason = `the config was edited outside the controller (now revision ${revisionOf(edited, 'none')}); the edit wins and the rollout is paused: resume to continue from step ${report.step}`
      const state: RolloutState = {
        ...report.state,
        status: 'paused',
        reason,
        history: [...report.state.history, { at: now, step: report.state.step, action: 'pause', message: reason }],
      }
      report = {
        ...report,
        status: 'paused',
        reason,
        state,
        revision: revisionOf(edited),
        decision: { at: now, action: 'pause', explanation: [reason] },
      }
      return reason
    }
    return null
  }

  /** Applies a tick: new weights get a new revision; the status goes into the document; compare-and-swap. */
  async function save(tick: RolloutTick, now: number, force: boolean): Promise<RolloutStatusReport> {
    const previous = report
    let generation = previous?.generation ?? 0
    const baseRevision = previous?.baseRevision ?? revisionOf(doc, 'rollout')
    const next: Doc = structuredClone(doc!)
    const experiment = next.experiments?.[plan.experiment]
    // Only a tick that moved the weight writes weights: a human edit's weights stand until the plan moves on.
    const stale =
      tick.changed && experiment?.variants?.some((variant) => variant.name in tick.weights && variant.weight !== tick.weights[variant.name])
    if (stale) {
      generation++
      for (const variant of experiment!.variants!)
        if (Object.hasOwn(tick.weights, variant.name)) variant.weight = tick.weights[variant.name]!
      next.revision = `${baseRevision}.${generation}`
    }
    const candidate = reportOf(tick, { generation, baseRevision }, now)
    candidate.revision = revisionOf(next)
    const changed = force || stale || JSON.stringify(previous?.state) !== JSON.stringify(tick.state)
    if (!changed) {
      report = candidate
      return candidate
    }
    next.rollout = candidate
    const text = codec.stringify(next)
    const result = await store.write(text, version)
    if (!result.written) {
      // Edited between our read and our write: keep nothing of this tick; the next one sees the edit.
      report = {
        ...(previous ?? candidate),
        decision: { at: now, action: 'none', explanation: ['the document changed while writing; the next tick reads the edit'] },
      }
      return report
    }
    doc = next
    version = result.version
    report = candidate
    return candidate
  }

  async function step(decide: (state: RolloutState, now: number) => Promise<RolloutTick> | RolloutTick): Promise<RolloutStatusReport> {
    const now = clock()
    let pausedBy: string | null
    try {
      pausedBy = await load(now)
    } catch (error) {
      // An unreadable or invalid document never replaces the good one: hold and say why.
      const reason = `holding: the config document ${store.name} cannot be used (${messageOf(error)}); still serving the last good one`
      if (report === null) throw new Error(reason, { cause: error })
      report = { ...report, decision: { at: now, action: 'none', explanation: [reason] } }
      return report
    }
    const state = report?.state ?? startRollout(plan, now)
    const tick = await decide(state, now)
    if (pausedBy !== null) tick.decision.explanation.unshift(pausedBy)
    const saved = await save(tick, now, pausedBy !== null)
    try {
      options.onStatus?.(saved)
    } catch {
      // a throwing log callback must not stop the controller
    }
    return saved
  }

  async function evidence(state: RolloutState, now: number): Promise<FleetEvidence | undefined> {
    const due = analysisDue(plan, state, now)
    if (due === null) return undefined
    const expectedRevision = revisionOf(doc)
    try {
      const fleet = await metricsSource.window({
        experiment: plan.experiment,
        variants: [plan.baseline, plan.canary],
        start: Math.min(Math.max(due.start, state.weightChangedAt + settleMs), now - stepMs),
        end: now,
        stepMs,
      })
      return { fleet, expectedRevision }
    } catch (error) {
      return { missing: messageOf(error) }
    }
  }

  const controller: RolloutController = {
    tick: () => serial(() => step(async (state, now) => tickRollout(plan, state, now, [], await evidence(state, now)))),
    promote: (reason) => serial(() => step((state, now) => promoteRollout(plan, state, now, reason))),
    abort: (reason) => serial(() => step((state, now) => abortRollout(plan, state, now, reason))),
    resume: () => serial(() => step((state, now) => resumeRollout(plan, state, now))),
    plan,
    status: () => report,
    document: () => (doc === null ? null : JSON.stringify(doc)),
    start(intervalMs) {
      if (running) return
      running = true
      const loop = () => {
        if (!running) return
        controller
          .tick()
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => {
            if (running) timer = setTimeout(loop, intervalMs)
          })
      }
      loop()
    },
    async stop() {
      running = false
      clearTimeout(timer)
      await queue
    },
  }
  return controller
}
