// The dashboard: one Fetch-API handler (Request -> Response). In-process it reads a splitter, the metrics
// it recorded and optionally a rollout driver; for a fleet, a `DashboardFleet` gives the series and the
// rollout instead (e.g. Prometheus and a rollout controller). Read-only unless `token` or `authorize` is given.
import {
  createMetricsRecorder,
  parseVariantHeader,
  sketchQuantile,
  toConfigInput,
  type MetricsRecorder,
  type Splitter,
} from '@splitlane/core'
import { evaluateSliPoints, sampleRatioMismatch } from '@splitlane/core/analysis'
import { type RolloutDriver, type RolloutPlan, type RolloutTick } from '@splitlane/core/rollout'
import { APP_CSS, APP_JS } from './generated/assets.js'
import { page } from './page.js'
import { createSeries, type Series } from './series.js'

export { MAX_POINTS, type Series, type VariantSeries } from './series.js'

export type DashboardAction = 'resume' | 'promote' | 'abort' | 'kill' | 'revive'

/** Seam for the fleet controller: anything with a plan, a state and the driver's actions. */
export interface DashboardRollout {
  plan: RolloutPlan
  driver: Pick<RolloutDriver, 'state' | 'resume' | 'promote' | 'abort'>
}

/** What the page shows of a rollout (in-process from the driver, in a fleet from the controller's status). */
export interface DashboardRolloutView {
  experiment: string
  canary: string
  baseline: string
  steps: RolloutPlan['steps']
  status: string
  /** Index of the current step (0-based; `steps.length` once every step is done). */
  step: number
  canaryWeight: number
  reason: string | null
  history: { at: number; step: number; action: string; message: string }[]
  runs: AnalysisRunView[]
  guardrail: { breached: boolean; explanation: string[]; alerts?: unknown[] } | null
  decision: { at: number; action: string; explanation: string[] } | null
}

/** One reading of a fleet: what the page shows instead of the in-process recorder and driver. */
export interface FleetReading {
  /** Per-variant points over time; `canaryWeight` is the rollout's weight at each point. */
  series: Series
  /**
   * Requests, errors and latency quantiles (ms; null where unknown) per experiment and variant since `since` (for
   * observed shares, the sample-ratio check and the experiments table).
   */
  totals: Record<
    string,
    Record<string, { requests: number; errors: number; p50?: number | null; p95?: number | null; p99?: number | null }>
  >
  since: number | null
  rollout: DashboardRolloutView | null
  /** What could not be read (Prometheus down, controller unreachable), shown on the page. */
  problems: string[]
  /** Which config revision each instance served lately (from the revision label of its metrics). */
  served?: { revision: string; instances: string[] }[]
}

/** The seam for a fleet: `@splitlane/prometheus`'s `createFleetDashboardData` is one. */
export interface DashboardFleet {
  read(): Promise<FleetReading>
  /** A rollout action; resolves with the sentence to show (the action lands in the rollout's own history). */
  act(action: 'resume' | 'promote' | 'abort', reason: string): Promise<string>
}

export interface DashboardOptions {
  splitter: Splitter
  recorder?: MetricsRecorder
  rollout?: DashboardRollout
  /** Fleet mode: series and rollout come from here; `recorder` and `rollout` are then not used. */
  fleet?: DashboardFleet
  /** Where the dashboard is mounted (default `/splitlane`). */
  basePath?: string
  /** Bearer token that allows actions. */
  token?: string
  /** Decides whether a request may take an action; wins over `token`. */
  authorize?: (request: Request, action: DashboardAction) => boolean | Promise<boolean>
  /** How often the charts get a new point (default 5000 ms). */
  sampleMs?: number
  /** How often the page polls for the state (default 2000 ms). */
  refreshMs?: number
  now?: () => number
}

export interface HistoryEntry {
  at: number
  action: DashboardAction
  experiment: string
  result: string
}

export interface Dashboard {
  handle(request: Request): Promise<Response>
  /** Where it answers, e.g. `/splitlane`. */
  readonly basePath: string
  /** Record outcomes here (not in the recorder given) so that the charts see them; it forwards every one. */
  readonly recorder: MetricsRecorder
  /** Pass each rollout tick here (the driver's `onTick`) to show analysis runs and decisions. */
  observe(tick: RolloutTick): void
  readonly history: readonly HistoryEntry[]
}

/** What the page shows of one analysis run. */
export interface AnalysisRunView {
  at: number
  step: number
  verdict: string
  score: number
  reason: string
  metrics: { name: string; class: string; reason: string }[]
}

/** Largest JSON body an API call reads. */
export const MAX_BODY_BYTES = 16 * 1024
const MAX_HISTORY = 200
const MAX_RUNS = 20
const ACTIONS: readonly DashboardAction[] = ['resume', 'promote', 'abort', 'kill', 'revive']

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  })

export function createDashboard(options: DashboardOptions): Dashboard {
  const { splitter, rollout } = options
  const base = (options.basePath ?? '/splitlane').replace(/\/$/, '')
  const now = options.now ?? Date.now
  const history: HistoryEntry[] = []
  const runs: AnalysisRunView[] = []
  let decision: { at: number; action: string; explanation: string[] } | null = null
  const series = createSeries(
    options.recorder ?? createMetricsRecorder(),
    splitter,
    now,
    options.sampleMs ?? 5000,
    () => rollout?.driver.state.canaryWeight,
  )
  const recorder = series.recorder

  function observe(tick: RolloutTick): void {
    const at = tick.state.history.at(-1)?.at ?? now()
    if (tick.decision.judge) {
      const judge = tick.decision.judge
      runs.push({
        at,
        step: [...tick.state.history].reverse().find((event) => event.action === 'analysis')?.step ?? tick.state.step,
        verdict: judge.verdict,
        score: judge.score,
        reason: judge.reason,
        metrics: judge.metrics.map((metric) => ({ name: metric.name, class: metric.class, reason: metric.reason })),
      })
      if (runs.length > MAX_RUNS) runs.shift()
    }
    if (tick.decision.action !== 'none' && tick.decision.action !== 'wait')
      decision = { at, action: tick.decision.action, explanation: tick.decision.explanation }
  }

  const guardrail = () => {
    if (!rollout?.plan.guardrails) return null
    const { plan } = rollout
    const result = evaluateSliPoints(rollout.driver.state.sli, now(), {
      experiment: plan.experiment,
      variant: plan.canary,
      ...plan.guardrails,
    })
    return {
      breached: result.breached,
      explanation: result.explanation,
      alerts: result.alerts.map((alert) => ({
        sli: alert.sli,
        firing: alert.firing,
        factor: alert.factor,
        longBurnRate: alert.longBurnRate,
        shortBurnRate: alert.shortBurnRate,
      })),
    }
  }

  /** Requests, errors and latency quantiles per variant of one experiment, from the fleet or the recorder. */
  type VariantTotals = { requests: number; errors: number; p50: number | null; p95: number | null; p99: number | null }
  const totalsOf = (reading: FleetReading | null, at: number) => {
    if (reading) {
      const stats = (name: string, variant: string): VariantTotals | undefined => {
        const experiment = Object.hasOwn(reading.totals, name) ? reading.totals[name]! : undefined
        const one = experiment && Object.hasOwn(experiment, variant) ? experiment[variant]! : undefined
        return one && { requests: one.requests, errors: one.errors, p50: one.p50 ?? null, p95: one.p95 ?? null, p99: one.p99 ?? null }
      }
      return { start: reading.since, stats }
    }
    // outcomes recorded straight into the user's recorder still show in the table (not in the charts)
    const window = series.used() || !options.recorder ? series.totals(at) : options.recorder.snapshot(at)
    const stats = (name: string, variant: string): VariantTotals | undefined => {
      const experiment = Object.hasOwn(window.experiments, name) ? window.experiments[name]! : undefined
      const one = experiment && Object.hasOwn(experiment, variant) ? experiment[variant]! : undefined
      return (
        one && {
          requests: one.requests,
          errors: one.errors,
          p50: sketchQuantile(one.latencyMs, 0.5),
          p95: sketchQuantile(one.latencyMs, 0.95),
          p99: sketchQuantile(one.latencyMs, 0.99),
        }
      )
    }
    return { start: window.start ?? null, stats }
  }

  let fleetExperiment = ''
  const state = async () => {
    const at = now()
    const reading = options.fleet ? await readFleet(options.fleet) : null
    if (reading?.rollout) fleetExperiment = reading.rollout.experiment
    const totals = totalsOf(reading, at)
    const experiments = Object.entries(splitter.config.experiments).map(([name, experiment]) => {
      const stats = experiment.variants.map((variant) => totals.stats(name, variant.name))
      const requests = stats.map((one) => one?.requests ?? 0)
      const weights = experiment.variants.map((variant) => variant.weight)
      const srm = weights.some((weight) => weight > 0) ? sampleRatioMismatch(requests, weights) : null
      const total = requests.reduce((sum, value) => sum + value, 0)
      const weightSum = weights.reduce((sum, value) => sum + value, 0)
      return {
        name,
        enabled: experiment.enabled,
        variants: experiment.variants.map((variant, index) => ({
          name: variant.name,
          weight: weightSum === 0 ? 0 : variant.weight / weightSum,
          observed: total === 0 ? null : requests[index]! / total,
          requests: requests[index]!,
          errors: stats[index]?.errors ?? 0,
          p50: stats[index]?.p50 ?? null,
          p95: stats[index]?.p95 ?? null,
          p99: stats[index]?.p99 ?? null,
        })),
        srm: srm === null ? null : { mismatch: srm.mismatch, pValue: srm.pValue, enoughData: srm.enoughData },
      }
    })
    const rolloutView: DashboardRolloutView | undefined = rollout && {
      experiment: rollout.plan.experiment,
      canary: rollout.plan.canary,
      baseline: rollout.plan.baseline,
      steps: rollout.plan.steps,
      status: rollout.driver.state.status,
      step: rollout.driver.state.step,
      canaryWeight: rollout.driver.state.canaryWeight,
      reason: rollout.driver.state.reason,
      history: rollout.driver.state.history.slice(-50),
      runs,
      guardrail: guardrail(),
      decision,
    }
    return {
      mode: reading ? 'fleet' : 'process',
      revision: splitter.revision,
      since: totals.start,
      refreshMs: options.refreshMs ?? 2000,
      experiments,
      series: reading ? reading.series : series.sample(at),
      rollout: reading ? reading.rollout : (rolloutView ?? null),
      problems: reading ? reading.problems : [],
      served: reading?.served ?? null,
      history,
      actionsEnabled: canAct(),
    }
  }
  const canAct = () => options.authorize !== undefined || (options.token !== undefined && options.token !== '')

  async function readJson(request: Request): Promise<Record<string, unknown> | null> {
    const text = await request.text()
    if (text.length > MAX_BODY_BYTES) return null
    try {
      const value = JSON.parse(text) as unknown
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
    } catch {
      return null
    }
  }

  async function allowed(request: Request, action: DashboardAction): Promise<number> {
    if (options.authorize) return (await options.authorize(request, action)) ? 200 : 403
    if (options.token === undefined || options.token === '') return 403
    const given = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
    return given !== undefined && given === options.token ? 200 : 401
  }

  async function act(action: DashboardAction, experiment: string, by: string): Promise<string> {
    const at = now()
    if (options.fleet) {
      if (action === 'kill' || action === 'revive')
        return `the kill switch of a fleet is the config document: edit ${experiment}'s "enabled" there (a controller pauses its rollout and keeps the edit)`
      const reason = `${action === 'resume' ? 'resumed' : action === 'promote' ? 'promoted' : 'aborted'} by ${by}`
      return options.fleet
        .act(action, reason)
        .catch((error: unknown) => `${action} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (action === 'kill' || action === 'revive') {
      if (!Object.hasOwn(splitter.config.experiments, experiment)) return `no experiment "${experiment}"`
      const config = toConfigInput(splitter.config)
      const target = config.experiments[experiment]!
      const result = splitter.update({
        ...config,
        experiments: { ...config.experiments, [experiment]: { ...target, enabled: action === 'revive' } },
      })
      return result.ok ? `${experiment} ${action === 'kill' ? 'disabled (kill switch)' : 're-enabled'} by ${by}` : result.error.message
    }
    if (rollout === undefined) return 'no rollout is attached to this dashboard'
    const tick =
      action === 'resume'
        ? rollout.driver.resume(at)
        : action === 'promote'
          ? rollout.driver.promote(at, `promoted by ${by}`)
          : rollout.driver.abort(at, `aborted by ${by}`)
    observe(tick)
    return tick.decision.explanation.join(' ')
  }

  async function handle(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url)
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return json({ error: 'not found' }, 404)
      const path = url.pathname.slice(base.length) || '/'
      if (request.method === 'GET' && path === '/')
        return new Response(page(base), {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            // uPlot sizes its elements with inline styles; scripts come only from the package
            'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
          },
        })
      if (request.method === 'GET' && (path === '/assets/app.js' || path === '/assets/app.css'))
        return new Response(path.endsWith('.js') ? APP_JS : APP_CSS, {
          headers: {
            'content-type': path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
            'cache-control': 'public, max-age=3600',
            'x-content-type-options': 'nosniff',
          },
        })
      if (request.method === 'GET' && path === '/api/state') {
        const body = JSON.stringify(await state())
        const etag = `"${body.length.toString(36)}-${hash(body)}"`
        if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } })
        return new Response(body, { headers: { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'no-cache' } })
      }
      if (request.method === 'POST' && path === '/api/explain') {
        const body = await readJson(request)
        if (body === null || typeof body['key'] !== 'string')
          return json({ error: 'expected a JSON body { "key": string, "attributes"?: object }' }, 400)
        const attributes =
          typeof body['attributes'] === 'object' && body['attributes'] !== null ? (body['attributes'] as Record<string, string>) : {}
        const context = { key: body['key'], attributes }
        const assignments = splitter.assignAll(context)
        return json(
          Object.values(assignments).map((a) => ({
            experiment: a.experiment,
            variant: a.variant,
            reason: a.reason,
            explanation: splitter.explain(a, context),
          })),
        )
      }
      if (request.method === 'POST' && path === '/api/decode') {
        const body = await readJson(request)
        if (body === null || typeof body['header'] !== 'string') return json({ error: 'expected a JSON body { "header": string }' }, 400)
        return json(parseVariantHeader(body['header']))
      }
      const action = /^\/api\/actions\/([a-z]+)$/.exec(path)?.[1] as DashboardAction | undefined
      if (request.method === 'POST' && action !== undefined && ACTIONS.includes(action)) {
        const status = await allowed(request, action)
        if (status === 403) return json({ error: 'actions are disabled: configure `token` or `authorize` on the dashboard' }, 403)
        if (status === 401) return json({ error: 'a valid bearer token is required' }, 401, { 'www-authenticate': 'Bearer' })
        const body = (await readJson(request)) ?? {}
        const experiment = typeof body['experiment'] === 'string' ? body['experiment'] : (rollout?.plan.experiment ?? fleetExperiment)
        const result = await act(action, experiment, 'the dashboard')
        history.push({ at: now(), action, experiment, result })
        if (history.length > MAX_HISTORY) history.shift()
        return json({ ok: true, result })
      }
      return json({ error: 'not found' }, 404)
    } catch (error) {
      return json({ error: `dashboard error: ${error instanceof Error ? error.message : String(error)}` }, 500)
    }
  }

  return { handle, basePath: base, recorder, observe, history }
}

/** A fleet that cannot be read still gives a page: empty series and the reason. */
async function readFleet(fleet: DashboardFleet): Promise<FleetReading> {
  try {
    return await fleet.read()
  } catch (error) {
    return {
      series: { t: [], experiments: {}, canaryWeight: [] },
      totals: {},
      since: null,
      rollout: null,
      problems: [`the fleet could not be read: ${error instanceof Error ? error.message : String(error)}`],
    }
  }
}

function hash(text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0).toString(36)
}
