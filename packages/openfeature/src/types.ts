import type { MetricsRecorder, SplitlaneError, Splitter } from '@splitlane/core'

/** The events a splitlane provider emits (the same strings in the server and web SDKs). */
export type ProviderEvent = 'PROVIDER_READY' | 'PROVIDER_STALE' | 'PROVIDER_CONFIGURATION_CHANGED'

/** What the provider hands a config source: the callbacks of `@splitlane/sources`' options. */
export interface ProviderSourceCallbacks {
  onUpdate: (update: { readonly source: string; readonly revision: string | number | null }) => void
  onReject: (rejection: { readonly source: string; readonly error: SplitlaneError }) => void
}

/** The part of a `@splitlane/sources` config source the provider uses. */
export interface ProviderConfigSource {
  readonly ready: Promise<ProviderSourceStatus>
  status: () => ProviderSourceStatus
  close: () => void
}

export interface ProviderSourceStatus {
  readonly source: string
  readonly updates: number
  readonly consecutiveFailures: number
  readonly lastError: SplitlaneError | null
}

export interface SplitlaneProviderOptions {
  /** Every experiment of its config is a flag. */
  splitter: Splitter
  /**
   * Makes the live config source, wired to the provider's events; the provider is ready when it has loaded,
   * and closes it on shutdown: `source: (callbacks) => createUrlConfigSource({ url, splitter, ...callbacks })`.
   */
  source?: (callbacks: ProviderSourceCallbacks) => ProviderConfigSource
  /** Receives every evaluation (one request per evaluation) and every `track` call (as business events). */
  recorder?: MetricsRecorder
  /** `false`: `track` only; for when an adapter already records the requests of the same experiments. Default `true`. */
  recordEvaluations?: boolean
}
