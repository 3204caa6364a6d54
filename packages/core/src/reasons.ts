import type { Reason } from './types.js'

/** OpenTelemetry `feature_flag.result.reason` values. */
export type OtelReason = 'static' | 'targeting_match' | 'split' | 'default' | 'disabled' | 'error'

const OTEL_REASONS: Readonly<Record<Reason, OtelReason>> = {
  split: 'split',
  static: 'static',
  override: 'targeting_match',
  rule: 'targeting_match',
  holdout: 'default',
  outside_layer: 'default',
  not_exposed: 'default',
  no_key: 'default',
  disabled: 'disabled',
  error: 'error',
  unknown_experiment: 'error',
}

/** Maps a splitlane reason onto OpenTelemetry's `feature_flag.result.reason`. */
export function otelReason(reason: Reason): OtelReason {
  return OTEL_REASONS[reason]
}
