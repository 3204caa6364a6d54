// The dashboard's fleet view: per-variant series read from Prometheus with range queries (one query per
// metric and experiment, grouped by variant) and the rollout from a controller's status. Failures become
// `problems` on the page; a reading never throws.
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { type RolloutPlan } from '@splitlane/core/rollout'
import {
  createDashboard,
  type Dashboard,
  type DashboardFleet,
  type DashboardRolloutView,
  type FleetReading,
  type Series,
  type VariantSeries,
} from '@splitlane/dashboard'
import { createPrometheusClient, type PrometheusClient, type PrometheusClientOptions, type RangeSeries } from './client.js'
import type { RolloutController, RolloutStatusReport } from './controller.js'
import { DEFAULT_NAMES, promDuration, quote, servedRevisions, type MetricNames } from './source.js'

/**
 * Metric names the dashboard reads besides the source's: the OpenTelemetry Prometheus exporter's names for
 * `splitlane.request.time_to_first_byte`, `splitlane.llm.tokens` and `splitlane.llm.cost`. Charted only when
 * Prometheus has them (LLM and proxied splits).
 */
export const DASHBOARD_NAMES = {
  /** Histogram base name of the time to first byte, in seconds. */
  ttfb: 'splitlane_request_time_to_first_byte',
  /** Counter of LLM tokens (summed over `gen_ai_token_type`: input and output together). */
  tokens: 'splitlane_llm_tokens_total',
  /** Counter of LLM cost, in the currency of the upstream's prices. */
  cost: 'splitlane_llm_cost_total',
} as const

export type DashboardMetricNames = MetricNames & { -readonly [K in keyof typeof DASHBOARD_NAMES]: string }

/** Where the dashboard reads a rollout: a controller in this process or over HTTP (`controllerStatusClient`). */
export interface RolloutStatusReader {
  status(): Promise<RolloutStatusReport | null> | RolloutStatusReport | null
  act(action: 'resume' | 'promote' | 'abort', reason: string): Promise<RolloutStatusReport>
}

export interface FleetDashboardDataOptions {
  /** Where per-variant series come from; without it the page shows the rollout and config alone. */
  prometheus?: PrometheusClientOptions | PrometheusClient
  /** Experiments to chart (typically the config's, read on every reading). */
  experiments: () => readonly string[]
  rollout?: RolloutStatusReader
  /** The plan, when the status does not carry one. */
  plan?: RolloutPlan
  names?: Partial<DashboardMetricNames>
  /** Further label matchers on every query, e.g. `job="checkout"`. */
  selector?: string
  /** How far back the charts go (default 30 min). */
  rangeMs?: number
  /** One point per step (default 15,000 ms). */
  stepMs?: number
  /**
   * The range each point's rate is taken over (default the larger of 60 s and the step): at least four
   * scrape intervals, or points go missing (Grafana's `$__rate_interval` rule).
   */
  windowMs?: number
  /** Readings closer together than this share one (default 2000 ms): many open pages cost Prometheus no more. */
  minReadIntervalMs?: number
  clock?: () => number
}

type QueryName = 'requests' | 'errors' | 'p50' | 'p95' | 'p99' | 'ttfb' | 'tokens' | 'cost'

/** The range queries of one experiment, each returning one series per variant: per-second rates and latency quantiles in seconds. */
export function fleetDashboardQueries(
  experiment: string,
  options: { names?: Partial<DashboardMetricNames>; selector?: string; windowMs?: number } = {},
): Record<QueryName, string> {
  const names: DashboardMetricNames = { ...DEFAULT_NAMES, ...DASHBOARD_NAMES, ...options.names }
  const matchers = `${names.experimentLabel}="${quote(experiment)}"${options.selector ? `,${options.selector}` : ''}`
  const window = promDuration(options.windowMs ?? 60_000)
  const by = names.variantLabel
  const rate = (metric: string, extra = '') => `sum by (${by}) (rate(${metric}{${matchers}${extra}}[${window}]))`
  const quantile = (q: number, histogram: string) =>
    `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket{${matchers}}[${window}])))`
  return {
    requests: rate(names.requests),
    errors: rate(names.requests, `,${names.errorLabel}!=""`),
    p50: quantile(0.5, names.duration),
    p95: quantile(0.95, names.duration),
    p99: quantile(0.99, names.duration),
    ttfb: quantile(0.5, names.ttfb),
    tokens: rate(names.tokens),
    cost: rate(names.cost),
  }
}

/** The canary's weight at `t`, from the rollout's `set-weight` events ("canary weight 1% -> 5%: ..."). */
export function weightAt(history: RolloutStatusReport['state']['history'], t: number): number {
  let weight = 0
  for (const event of history) {
    if (event.at > t) break
    const to = event.action === 'set-weight' ? /-> ([\d.]+)%/.exec(event.message) : null
    if (to) weight = Number(to[1])
  }
  return weight
}

/** The alerts `splitlane rules` writes (labels `experiment`, `variant`, `severity`), and a name its recording rules share. */
const BURN_RATE_ALERTS = 'SplitlaneErrorBudgetBurn|SplitlaneLatencyBudgetBurn'
const RECORDED_REQUESTS = 'splitlane:requests:rate.+'

/**
 * The canary's guardrail state in a fleet: Prometheus evaluates the burn-rate alerts of `splitlane rules`
 * itself, so the page reads them (`ALERTS`) rather than judging again. Null when those rules are not loaded
 * (no recorded request rate for the experiment): then there is nothing to show, not "within budget".
 */
export async function fleetGuardrail(
  client: PrometheusClient,
  experiment: string,
  variant: string,
  at: number,
): Promise<DashboardRolloutView['guardrail']> {
  const recorded = await client.query(`count({__name__=~"${RECORDED_REQUESTS}",feature_flag_key="${quote(experiment)}"})`, at)
  if (recorded.length === 0) return null
  const alerts = await client.query(
    `ALERTS{alertname=~"${BURN_RATE_ALERTS}",experiment="${quote(experiment)}",variant="${quote(variant)}"}`,
    at,
  )
  const firing = alerts.filter((alert) => alert.labels['alertstate'] === 'firing')
  const line = (alert: RangeSeries) =>
    `${alert.labels['alertname'] ?? 'alert'} ${alert.labels['alertstate'] ?? ''} for ${variant} (severity ${alert.labels['severity'] ?? 'none'}), evaluated by Prometheus`
  return {
    breached: firing.length > 0,
    explanation:
      alerts.length === 0
        ? [`no burn-rate alert of \`splitlane rules\` is pending or firing for ${variant}, as Prometheus evaluates them`]
        : alerts.map(line).sort(),
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))
const isClient = (value: FleetDashboardDataOptions['prometheus']): value is PrometheusClient =>
  typeof (value as PrometheusClient | undefined)?.queryRange === 'function'

export function createFleetDashboardData(options: FleetDashboardDataOptions): DashboardFleet {
  const clock = options.clock ?? Date.now
  const stepMs = options.stepMs ?? 15_000
  const windowMs = options.windowMs ?? Math.max(60_000, stepMs)
  const rangeMs = options.rangeMs ?? 30 * 60_000
  const minReadIntervalMs = options.minReadIntervalMs ?? 2000
  // The page polls every few seconds: fail fast, the next poll is the retry.
  const client =
    options.prometheus === undefined
      ? undefined
      : isClient(options.prometheus)
        ? options.prometheus
        : createPrometheusClient({ timeoutMs: 5000, retries: 0, ...options.prometheus })
  let last: { at: number; reading: Promise<FleetReading> } | null = null
  const variantLabel = options.names?.variantLabel ?? DEFAULT_NAMES.variantLabel

  /** Errors per experiment, variant and point (the series carry only their ratio). */
  type ErrorCounts = Map<string, Map<string, (number | null)[]>>
  async function readSeries(end: number, problems: Set<string>, rollout: RolloutStatusReport | null, errors: ErrorCounts) {
    const start = end - rangeMs
    const t: number[] = []
    for (let at = start; at <= end; at += stepMs) t.push(at)
    const series: Series = { t, experiments: Object.create(null) as Series['experiments'], canaryWeight: t.map(() => null) }
    if (rollout) series.canaryWeight = t.map((at) => weightAt(rollout.state.history, at))
    if (client === undefined) return series
    await Promise.all(
      options.experiments().map(async (experiment) => {
        const queries = fleetDashboardQueries(experiment, { ...options, windowMs })
        const names = Object.keys(queries) as QueryName[]
        const results = await Promise.all(
          names.map((name) =>
            client.queryRange(queries[name], { start, end, stepMs }).catch((error: unknown) => {
              problems.add(`Prometheus: ${messageOf(error)}`)
              return [] as RangeSeries[]
            }),
          ),
        )
        const byName = Object.fromEntries(names.map((name, index) => [name, results[index]!])) as Record<QueryName, RangeSeries[]>
        const { lines, errors: counted } = variantLines(byName, t, stepMs, variantLabel)
        if (Object.keys(lines).length > 0) series.experiments[experiment] = lines
        errors.set(experiment, counted)
      }),
    )
    return series
  }

  async function read(): Promise<FleetReading> {
    const problems = new Set<string>()
    let report: RolloutStatusReport | null = null
    if (options.rollout)
      try {
        report = await options.rollout.status()
      } catch (error) {
        problems.add(`rollout controller: ${messageOf(error)}`)
      }
    const end = Math.floor(clock() / stepMs) * stepMs
    const errorCounts: ErrorCounts = new Map()
    const series = await readSeries(end, problems, report, errorCounts)
    // Shares are compared against the weights in force: count from the last weight change on.
    const since = Math.max(series.t[0] ?? end, report?.state.weightChangedAt ?? 0)
    const totals: FleetReading['totals'] = Object.create(null) as FleetReading['totals']
    for (const [experiment, lines] of Object.entries(series.experiments)) {
      const perVariant = (totals[experiment] = Object.create(null) as FleetReading['totals'][string])
      for (const [variant, line] of Object.entries(lines)) {
        let requests = 0
        let errors = 0
        series.t.forEach((at, index) => {
          if (at - stepMs < since) return
          requests += line.requests[index] ?? 0
          errors += errorCounts.get(experiment)?.get(variant)?.[index] ?? 0
        })
        perVariant[variant] = { requests, errors: Math.round(errors), p50: null, p95: null, p99: null }
      }
    }
    if (client && end > since) await readLatencyTotals(client, totals, end, end - since, problems)
    const served =
      client &&
      (await servedRevisions(client, { ...DEFAULT_NAMES, ...options.names }, { end, windowMs, selector: options.selector }).catch(
        (error: unknown) => (problems.add(`Prometheus: ${messageOf(error)}`), undefined),
      ))
    const rollout = report && rolloutView(report, options.plan)
    if (rollout && client)
      rollout.guardrail = await fleetGuardrail(client, rollout.experiment, rollout.canary, end).catch((error: unknown) => {
        problems.add(`Prometheus alerts: ${messageOf(error)}`)
        return null
      })
    return { series, totals, since, rollout, problems: [...problems].slice(0, 5), ...(served ? { served } : {}) }
  }

  /**
   * The table's quantiles over the same span as its counts: one instant query per quantile and experiment, the
   * charts' query with the span as its window (a quantile of rates over a span is the quantile of the increase).
   */
  async function readLatencyTotals(
    client: PrometheusClient,
    totals: FleetReading['totals'],
    end: number,
    spanMs: number,
    problems: Set<string>,
  ) {
    await Promise.all(
      Object.keys(totals).flatMap((experiment) => {
        const queries = fleetDashboardQueries(experiment, { ...options, windowMs: spanMs })
        return (['p50', 'p95', 'p99'] as const).map(async (quantile) => {
          const found = await client.query(queries[quantile], end).catch((error: unknown) => {
            problems.add(`Prometheus: ${messageOf(error)}`)
            return [] as RangeSeries[]
          })
          for (const { labels, points } of found) {
            const variant = labels[variantLabel] ?? ''
            const seconds = points[0]?.value
            if (Object.hasOwn(totals[experiment]!, variant) && seconds !== undefined && Number.isFinite(seconds))
              totals[experiment]![variant]![quantile] = seconds * 1000
          }
        })
      }),
    )
  }

  return {
    read() {
      const now = clock()
      if (last === null || now - last.at >= minReadIntervalMs) last = { at: now, reading: read() }
      return last.reading
    },
    async act(action, reason) {
      if (!options.rollout) return 'no rollout controller is attached to this dashboard'
      const report = await options.rollout.act(action, reason)
      last = null
      return report.decision.explanation.join(' ')
    },
  }
}

/** Per variant, the points at `t`: request counts and rates, error ratio, latency quantiles (ms), TTFB, tokens and cost per request. */
function variantLines(results: Record<QueryName, RangeSeries[]>, t: number[], stepMs: number, variantLabel: string) {
  const index = new Map(t.map((at, i) => [at, i]))
  const valuesOf = (name: QueryName) => {
    const byVariant = new Map<string, (number | null)[]>()
    for (const { labels, points } of results[name]) {
      const values: (number | null)[] = t.map(() => null)
      for (const point of points) {
        const i = index.get(point.t)
        if (i !== undefined && Number.isFinite(point.value)) values[i] = point.value
      }
      byVariant.set(labels[variantLabel] ?? '', values)
    }
    return byVariant
  }
  const all = Object.fromEntries((Object.keys(results) as QueryName[]).map((name) => [name, valuesOf(name)])) as Record<
    QueryName,
    Map<string, (number | null)[]>
  >
  const seconds = stepMs / 1000
  const lines: Record<string, VariantSeries> = Object.create(null) as Record<string, VariantSeries>
  for (const [variant, rates] of all.requests) {
    const at = (name: QueryName, i: number) => all[name].get(variant)?.[i] ?? null
    const perRequest = (name: QueryName, i: number) => {
      const value = at(name, i)
      const rate = rates[i] ?? 0
      return value === null || rate <= 0 ? null : value / rate
    }
    const ms = (name: QueryName, i: number) => {
      const value = at(name, i)
      return value === null ? null : value * 1000
    }
    lines[variant] = {
      requests: rates.map((rate) => Math.round((rate ?? 0) * seconds)),
      rate: rates.map((rate) => rate ?? 0),
      errorRatio: rates.map((_, i) => (rates[i] ? (at('errors', i) ?? 0) / rates[i] : null)),
      p50: t.map((_, i) => ms('p50', i)),
      p95: t.map((_, i) => ms('p95', i)),
      p99: t.map((_, i) => ms('p99', i)),
      ttfb: t.map((_, i) => ms('ttfb', i)),
      tokens: t.map((_, i) => perRequest('tokens', i)),
      cost: t.map((_, i) => perRequest('cost', i)),
    }
  }
  // errors per step, for the totals (the series carry only their ratio)
  const errors = new Map([...all.errors].map(([variant, rates]) => [variant, rates.map((rate) => (rate === null ? null : rate * seconds))]))
  return { lines, errors }
}

function rolloutView(report: RolloutStatusReport, fallbackPlan: RolloutPlan | undefined): DashboardRolloutView {
  return {
    experiment: report.experiment,
    canary: report.canary,
    baseline: report.baseline,
    steps: (report.plan ?? fallbackPlan)?.steps ?? [],
    status: report.status,
    step: report.state.step,
    canaryWeight: report.canaryWeight,
    reason: report.reason,
    history: report.state.history.slice(-50),
    runs: report.analyses ?? [],
    guardrail: null,
    decision: lastDecision(report),
  }
}

/**
 * The last decision with its sentences: the controller ticks often and most ticks only wait, so the events
 * of the last moment something happened (e.g. an analysis passed, the weight went up, a pause began).
 */
function lastDecision(report: RolloutStatusReport): DashboardRolloutView['decision'] {
  if (report.decision.action !== 'none' && report.decision.action !== 'wait') return report.decision
  const last = report.state.history.at(-1)
  if (last === undefined) return null
  const events = report.state.history.filter((event) => event.at === last.at)
  return { at: last.at, action: last.action, explanation: events.map((event) => event.message) }
}

/** A rollout controller over HTTP (`serveController` or `splitlane rollout run --serve`): its `/status` and actions. */
export function controllerStatusClient(options: {
  url: string
  token?: string
  timeoutMs?: number
  fetch?: typeof fetch
}): RolloutStatusReader {
  const base = options.url.replace(/\/+$/, '')
  const fetchImpl = options.fetch ?? fetch
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetchImpl(`${base}${path}`, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) })
    const text = await response.text()
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${base}${path} answered ${response.status}: ${text.slice(0, 200)}`)
    return JSON.parse(text) as RolloutStatusReport | null
  }
  return {
    status: () => call('/status'),
    async act(action, reason) {
      const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {}
      const report = await call(`/${action}?reason=${encodeURIComponent(reason)}`, { method: 'POST', headers })
      if (report === null) throw new Error(`${base}/${action} answered no status`)
      return report
    },
  }
}

export interface ControllerDashboardOptions extends Omit<FleetDashboardDataOptions, 'experiments' | 'rollout' | 'plan'> {
  /** Where the page answers (default `/splitlane`). */
  basePath?: string
  /** How often the page polls (default 2000 ms). */
  refreshMs?: number
}

/** The dashboard of a controller in this process: its document's experiments, its status, Prometheus's series; actions with `token`. */
export function controllerDashboard(controller: RolloutController, options: ControllerDashboardOptions & { token?: string }): Dashboard {
  const splitter = createSplitter({ config: { version: 1, experiments: {} } })
  let seen: string | null = null
  // The splitter mirrors the document the controller serves (for the experiments table and the one-user lookup).
  const sync = () => {
    const document = controller.document()
    if (document === null || document === seen) return
    seen = document
    splitter.update(JSON.parse(document) as SplitlaneConfig)
  }
  const { token, basePath, refreshMs, ...data } = options
  const dashboard = createDashboard({
    splitter,
    ...(token ? { token } : {}),
    ...(basePath === undefined ? {} : { basePath }),
    ...(refreshMs === undefined ? {} : { refreshMs }),
    fleet: createFleetDashboardData({
      ...data,
      experiments: () => Object.keys(splitter.config.experiments),
      plan: controller.plan,
      rollout: {
        status: () => controller.status(),
        act: (action, reason) => (action === 'resume' ? controller.resume() : controller[action](reason)),
      },
    }),
  })
  return {
    ...dashboard,
    handle(request) {
      sync()
      return dashboard.handle(request)
    },
  }
}
