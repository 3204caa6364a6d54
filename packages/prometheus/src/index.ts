// @splitlane/prometheus: the fleet's per-variant metrics, read from Prometheus for the canary judge.
export { createPrometheusClient, type PrometheusClient, type PrometheusClientOptions, type RangeSeries } from './client.js'
export {
  createPrometheusSource,
  defaultTemplates,
  fillTemplate,
  promDuration,
  DEFAULT_NAMES,
  type MetricNames,
  type PrometheusSource,
  type PrometheusSourceOptions,
  type WindowRequest,
} from './source.js'
