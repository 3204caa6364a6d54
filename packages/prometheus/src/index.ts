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
export {
  createRolloutController,
  type FleetMetricsSource,
  type AnalysisRunRecord,
  type RolloutController,
  type RolloutControllerOptions,
  type RolloutStatusReport,
} from './controller.js'
export { createFileConfigStore, type ConfigStore, type StoredDocument, type StoreWrite } from './store.js'
export { controllerHandler, serveController, type ControllerServer, type ServeControllerOptions } from './serve.js'
export {
  controllerStatusClient,
  createFleetDashboardData,
  fleetDashboardQueries,
  fleetGuardrail,
  DASHBOARD_NAMES,
  type ControllerDashboardOptions,
  type DashboardMetricNames,
  type FleetDashboardDataOptions,
  type RolloutStatusReader,
} from './dashboard.js'
