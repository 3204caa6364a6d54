// Prometheus rules for a config's experiments: per-variant recording rules (request rate, error
// ratio, latency and time-to-first-byte quantiles, LLM token and cost rates over the burn-rate windows) and multiwindow, multi-burn-rate alerts per
// variant from the same table the in-process guardrails use (DEFAULT_BURN_RATE_ALERTS: 14.4 / 6 / 1).
import { LATENCY_BUCKETS_SECONDS, type ParsedConfig } from '@splitlane/core'
import { DEFAULT_BURN_RATE_ALERTS, type BurnRateAlert } from '@splitlane/core/analysis'

export interface RulesOptions {
  /** Availability objective, e.g. 0.999 (default). */
  availability: number
  /** Optional latency objective: the share of requests at or under `thresholdSeconds` (a histogram boundary). */
  latency?: { thresholdSeconds: number; objective: number }
  alerts?: readonly BurnRateAlert[]
  /** Requests a window needs before its alert may fire (default 10, as the guardrails). */
  minRequests?: number
  /** Extra label matchers on every selector, e.g. `job="checkout"`. */
  selector?: string
}

interface RecordingRule {
  record: string
  expr: string
}
interface AlertingRule {
  alert: string
  expr: string
  labels: Record<string, string>
  annotations: Record<string, string>
}
export interface RuleGroup {
  name: string
  rules: (RecordingRule | AlertingRule)[]
}

const BY = 'feature_flag_key, feature_flag_result_variant'
const QUANTILES = [0.5, 0.9, 0.99]

/** `5m`, `1h`, `3d`: Prometheus durations, also used in rule names. */
export function windowName(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ]
  for (const [size, unit] of units) if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

const regexEscape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const quote = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/** Every window the alerts use, shortest first. */
function windows(alerts: readonly BurnRateAlert[]): number[] {
  return [...new Set(alerts.flatMap((alert) => [alert.shortWindowMs, alert.longWindowMs]))].sort((a, b) => a - b)
}

export function rulesFor(config: ParsedConfig, options: RulesOptions): RuleGroup[] {
  const alerts = options.alerts ?? DEFAULT_BURN_RATE_ALERTS
  const minRequests = options.minRequests ?? 10
  const experiments = Object.keys(config.experiments)
  const extra = options.selector ? `,${options.selector}` : ''
  const scope = `feature_flag_key=~"${quote(experiments.map(regexEscape).join('|'))}"${extra}`
  if (options.latency !== undefined && !LATENCY_BUCKETS_SECONDS.includes(options.latency.thresholdSeconds))
    throw new Error(
      `a latency threshold of ${options.latency.thresholdSeconds} s is not a bucket boundary of splitlane.request.duration (${LATENCY_BUCKETS_SECONDS.join(', ')} s)`,
    )
  const recording: RecordingRule[] = []
  for (const ms of windows(alerts)) {
    const w = windowName(ms)
    const requests = `splitlane:requests:rate${w}`
    const errors = `splitlane:errors:rate${w}`
    recording.push(
      { record: requests, expr: `sum by (${BY}) (rate(splitlane_requests_total{${scope}}[${w}]))` },
      { record: errors, expr: `sum by (${BY}) (rate(splitlane_requests_total{${scope},error_type!=""}[${w}]))` },
      // `or requests * 0`: a variant without a single error has no error series; its ratio is 0, not absent.
      { record: `splitlane:error_ratio:rate${w}`, expr: `(${errors} or ${requests} * 0) / ${requests}` },
    )
    for (const q of QUANTILES)
      recording.push({
        record: `splitlane:request_duration_seconds:p${Math.round(q * 100)}_${w}`,
        expr: `histogram_quantile(${q}, sum by (${BY}, le) (rate(splitlane_request_duration_bucket{${scope}}[${w}])))`,
      })
    // Time to first byte (proxies, LLM calls) and LLM tokens and cost: for dashboards over the same windows.
    for (const q of QUANTILES)
      recording.push({
        record: `splitlane:time_to_first_byte_seconds:p${Math.round(q * 100)}_${w}`,
        expr: `histogram_quantile(${q}, sum by (${BY}, le) (rate(splitlane_request_time_to_first_byte_bucket{${scope}}[${w}])))`,
      })
    recording.push(
      {
        record: `splitlane:llm_tokens:rate${w}`,
        expr: `sum by (${BY}, gen_ai_token_type) (rate(splitlane_llm_tokens_total{${scope}}[${w}]))`,
      },
      { record: `splitlane:llm_cost:rate${w}`, expr: `sum by (${BY}) (rate(splitlane_llm_cost_total{${scope}}[${w}]))` },
    )
    if (options.latency !== undefined)
      recording.push({
        record: `splitlane:latency_slow_ratio:rate${w}`,
        expr: `1 - sum by (${BY}) (rate(splitlane_request_duration_bucket{${scope},le="${options.latency.thresholdSeconds}"}[${w}])) / sum by (${BY}) (rate(splitlane_request_duration_count{${scope}}[${w}]))`,
      })
  }
  const slis: { name: string; ratio: string; objective: number; what: string }[] = [
    { name: 'SplitlaneErrorBudgetBurn', ratio: 'error_ratio', objective: options.availability, what: 'availability' },
  ]
  if (options.latency !== undefined)
    slis.push({
      name: 'SplitlaneLatencyBudgetBurn',
      ratio: 'latency_slow_ratio',
      objective: options.latency.objective,
      what: `latency (<= ${options.latency.thresholdSeconds} s)`,
    })
  const alerting: AlertingRule[] = []
  const severities = [...new Set(alerts.map((alert) => alert.severity ?? 'page'))]
  for (const [experiment, spec] of Object.entries(config.experiments))
    for (const { name: variant } of spec.variants) {
      const labels = `feature_flag_key="${quote(experiment)}",feature_flag_result_variant="${quote(variant)}"`
      for (const sli of slis)
        for (const severity of severities) {
          const budget = 1 - sli.objective
          const clauses = alerts
            .filter((alert) => (alert.severity ?? 'page') === severity)
            .map((alert) => {
              const long = windowName(alert.longWindowMs)
              const short = windowName(alert.shortWindowMs)
              const threshold = Number((alert.factor * budget).toPrecision(12))
              const enough = (w: string, ms: number) => `splitlane:requests:rate${w}{${labels}} * ${ms / 1000} >= ${minRequests}`
              return (
                `(splitlane:${sli.ratio}:rate${long}{${labels}} >= ${threshold} and splitlane:${sli.ratio}:rate${short}{${labels}} >= ${threshold}` +
                ` and ${enough(long, alert.longWindowMs)} and ${enough(short, alert.shortWindowMs)})`
              )
            })
          alerting.push({
            alert: sli.name,
            expr: clauses.join('\nor\n'),
            labels: { severity, experiment, variant },
            annotations: {
              summary: `${experiment}/${variant} burns its ${sli.objective * 100}% ${sli.what} error budget too fast`,
              description: `Burn rate over both windows of a multiwindow alert is at or above its factor (SRE workbook, ch. 5). Roll the variant back or pause its rollout.`,
            },
          })
        }
    }
  return [
    { name: 'splitlane-recording', rules: recording },
    { name: 'splitlane-burn-rate', rules: alerting },
  ]
}

/** A PrometheusRule (Prometheus Operator) manifest around the groups. */
export function prometheusRule(groups: RuleGroup[], metadata: { name: string; namespace?: string; labels?: Record<string, string> }) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: metadata.name,
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
      ...(metadata.labels === undefined ? {} : { labels: metadata.labels }),
    },
    spec: { groups },
  }
}
