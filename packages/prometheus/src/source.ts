// A fleet metrics source: reads each variant's time series from Prometheus into a `FleetWindow`
// (what `judgeFleetWindow` and `judgeAnalysisRun({ fleet })` judge), with splitlane's default queries
// or PromQL templates per metric, as Flagger's MetricTemplate and Argo's AnalysisTemplate.
import { ErrorCode, SplitlaneError } from '@splitlane/core'
import { type FleetVariantWindow, type FleetWindow, type SeriesPoint, type ServedRevision } from '@splitlane/core/analysis'
import { createPrometheusClient, type PrometheusClient, type PrometheusClientOptions, type RangeSeries } from './client.js'

/** The metric and label names the OpenTelemetry Prometheus exporter gives splitlane's instruments. */
export const DEFAULT_NAMES = {
  requests: 'splitlane_requests_total',
  /** The histogram's base name (`_bucket`, `_sum`, `_count` are added). */
  duration: 'splitlane_request_duration',
  experimentLabel: 'feature_flag_key',
  variantLabel: 'feature_flag_result_variant',
  revisionLabel: 'feature_flag_version',
  errorLabel: 'error_type',
  instanceLabel: 'instance',
} as const

export type MetricNames = { -readonly [K in keyof typeof DEFAULT_NAMES]: string }

export interface PrometheusSourceOptions extends PrometheusClientOptions {
  /** Metric and label names, where yours differ (e.g. a Collector that adds `_seconds`). */
  names?: Partial<MetricNames>
  /** Further label matchers on every default query, e.g. `job="checkout"`. */
  selector?: string
  /** Request count per step of one variant (summed over the window); default from `names`. */
  requests?: string
  /** Error count per step (an empty result counts as 0 errors). */
  errors?: string
  /**
   * Series compared by Mann-Whitney, name -> PromQL template returning one series per variant.
   * Default: `latency-p99` (seconds, from the duration histogram); `error-ratio` is always derived
   * from the error and request counts. Set a name to `false` to leave a default out.
   */
  series?: Readonly<Record<string, string | false>>
}

export interface WindowRequest {
  experiment: string
  variants: readonly string[]
  /** ms since the epoch. */
  start: number
  end: number
  /** One point per step; also `{{window}}`, the range each point covers (default 30 s). */
  stepMs?: number
  /** Read which revisions served traffic in the window (default true; one query). */
  revisions?: boolean
}

export interface PrometheusSource {
  /** The experiment's per-variant window. Throws `SPLITLANE_ERR_PROMETHEUS_*` (see docs/reference/errors.md). */
  window(request: WindowRequest): Promise<FleetWindow>
  /** Revisions that served the experiment's requests in `[end − windowMs, end]`, with their instances. */
  revisions(request: { experiment: string; end: number; windowMs: number }): Promise<ServedRevision[]>
  /** The queries one `window` call sends, filled in (for logs and dashboards). */
  queries(request: Pick<WindowRequest, 'experiment' | 'variants' | 'stepMs'>): string[]
  client: PrometheusClient
}

const VARIABLES = new Set(['experiment', 'variant', 'window'])
const VARIABLE = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g

/** Checks a template's variables once, when the source is built. */
function checkTemplate(name: string, template: string): void {
  for (const [, variable] of template.matchAll(VARIABLE))
    if (!VARIABLES.has(variable!))
      throw new SplitlaneError(
        ErrorCode.OptionsInvalid,
        `prometheus query template ${name} uses {{${variable}}}; the variables are {{experiment}}, {{variant}} and {{window}}`,
      )
}

/** A label value inside double quotes (PromQL, the exposition format). Values come from config, escaped all the same. */
export const quote = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** `{{experiment}}`, `{{variant}}` (escaped for a quoted label value) and `{{window}}` (a duration like `30s`). */
export function fillTemplate(template: string, values: { experiment: string; variant?: string; window: string }): string {
  return template.replace(VARIABLE, (_, name: string) =>
    name === 'window' ? values.window : quote(name === 'experiment' ? values.experiment : (values.variant ?? '')),
  )
}

/** A Prometheus duration for a step in ms: `30s`, `1500ms`. */
export function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`
}

export function defaultTemplates(names: MetricNames = DEFAULT_NAMES, selector?: string) {
  const matchers = `${names.experimentLabel}="{{experiment}}",${names.variantLabel}="{{variant}}"${selector ? `,${selector}` : ''}`
  return {
    requests: `sum(increase(${names.requests}{${matchers}}[{{window}}]))`,
    errors: `sum(increase(${names.requests}{${matchers},${names.errorLabel}!=""}[{{window}}]))`,
    latencyP99: `histogram_quantile(0.99, sum by (le) (rate(${names.duration}_bucket{${matchers}}[{{window}}])))`,
  }
}

/** Sums several series point by point (an unaggregated count template); `NaN` points are skipped. */
function sumByTime(series: readonly RangeSeries[]): Map<number, number> {
  const sums = new Map<number, number>()
  for (const { points } of series) for (const { t, value } of points) if (Number.isFinite(value)) sums.set(t, (sums.get(t) ?? 0) + value)
  return sums
}

/** The revision and instance of every series that counted requests over the window. */
function revisionsQuery(names: MetricNames, request: { windowMs: number; experiment?: string; selector?: string }): string {
  const matchers = [
    ...(request.experiment === undefined ? [] : [`${names.experimentLabel}="${quote(request.experiment)}"`]),
    ...(request.selector ? [request.selector] : []),
  ].join(',')
  return `sum by (${names.revisionLabel}, ${names.instanceLabel}) (increase(${names.requests}{${matchers}}[${promDuration(request.windowMs)}])) > 0`
}

/**
 * Which revision each instance served over the window ending at `end`, from the revision label of its request
 * counts: of one experiment, or of all when none is given.
 */
export async function servedRevisions(
  client: PrometheusClient,
  names: MetricNames,
  request: { end: number; windowMs: number; experiment?: string; selector?: string },
): Promise<ServedRevision[]> {
  const byRevision = new Map<string, Set<string>>()
  for (const { labels } of await client.query(revisionsQuery(names, request), request.end)) {
    const revision = labels[names.revisionLabel] ?? ''
    const instances = byRevision.get(revision) ?? new Set<string>()
    instances.add(labels[names.instanceLabel] ?? '')
    byRevision.set(revision, instances)
  }
  return [...byRevision]
    .map(([revision, instances]) => ({ revision, instances: [...instances].filter(Boolean).sort() }))
    .sort((a, b) => (a.revision < b.revision ? -1 : 1))
}

export function createPrometheusSource(options: PrometheusSourceOptions): PrometheusSource {
  const names: MetricNames = { ...DEFAULT_NAMES, ...options.names }
  const defaults = defaultTemplates(names, options.selector)
  const counts = { requests: options.requests ?? defaults.requests, errors: options.errors ?? defaults.errors }
  const series = new Map<string, string>([['latency-p99', defaults.latencyP99]])
  for (const [name, template] of Object.entries(options.series ?? {}))
    if (template === false) series.delete(name)
    else series.set(name, template)
  for (const [name, template] of [...Object.entries(counts), ...series]) checkTemplate(name, template)
  const client = createPrometheusClient(options)

  async function variantWindow(
    request: Required<Omit<WindowRequest, 'variants' | 'revisions'>>,
    variant: string,
  ): Promise<FleetVariantWindow> {
    const values = { experiment: request.experiment, variant, window: promDuration(request.stepMs) }
    const range = { start: request.start, end: request.end, stepMs: request.stepMs }
    const run = (template: string) => {
      const query = fillTemplate(template, values)
      return client.queryRange(query, range).then((result) => ({ query, result }))
    }
    const [requests, errors, ...others] = await Promise.all([run(counts.requests), run(counts.errors), ...[...series.values()].map(run)])
    if (requests.result.length === 0)
      throw new SplitlaneError(
        ErrorCode.PrometheusNoData,
        `no data for variant ${variant} of ${request.experiment} from ${new Date(request.start).toISOString()} to ${new Date(request.end).toISOString()}: ${requests.query} returned no series (are the instances scraped, and is the name right?)`,
        { experiment: request.experiment },
      )
    const served = sumByTime(requests.result)
    const failed = sumByTime(errors.result)
    const sum = (map: Map<number, number>) => [...map.values()].reduce((total, value) => total + value, 0)
    const points: Record<string, SeriesPoint[]> = Object.create(null) as Record<string, SeriesPoint[]>
    // The error ratio per step: NaN where the step had no requests (the judge drops those points).
    points['error-ratio'] = [...served].map(([t, total]) => ({ t, value: total > 0 ? (failed.get(t) ?? 0) / total : NaN }))
    ;[...series.keys()].forEach((name, index) => {
      const { query, result } = others[index]!
      if (result.length > 1)
        throw new SplitlaneError(
          ErrorCode.PrometheusQueryFailed,
          `series ${name} must return one series per variant, got ${result.length} from ${query}: aggregate it (sum, or histogram_quantile over sum by (le))`,
        )
      points[name] = result[0]?.points ?? []
    })
    return { requests: sum(served), errors: sum(failed), series: points }
  }

  const revisions = (request: { experiment: string; end: number; windowMs: number }): Promise<ServedRevision[]> =>
    servedRevisions(client, names, { ...request, selector: options.selector })

  return {
    client,
    revisions,
    async window(request) {
      const stepMs = request.stepMs ?? 30_000
      if (!(request.end > request.start) || !(stepMs > 0))
        throw new SplitlaneError(
          ErrorCode.OptionsInvalid,
          `a window needs end > start and stepMs > 0, got ${request.start}..${request.end} every ${stepMs} ms`,
        )
      const full = { experiment: request.experiment, start: request.start, end: request.end, stepMs }
      const variants = await Promise.all(request.variants.map((variant) => variantWindow(full, variant)))
      const window: FleetWindow = {
        ...full,
        variants: Object.fromEntries(request.variants.map((variant, index) => [variant, variants[index]!])),
      }
      if (request.revisions !== false)
        window.revisions = await revisions({ experiment: request.experiment, end: request.end, windowMs: request.end - request.start })
      return window
    },
    queries(request) {
      const stepMs = request.stepMs ?? 30_000
      const window = promDuration(stepMs)
      const perVariant = request.variants.flatMap((variant) =>
        [counts.requests, counts.errors, ...series.values()].map((template) =>
          fillTemplate(template, { experiment: request.experiment, variant, window }),
        ),
      )
      return [...perVariant, revisionsQuery(names, { experiment: request.experiment, windowMs: stepMs, selector: options.selector })]
    },
  }
}
