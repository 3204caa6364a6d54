import type { EvaluationContext, TrackingEventDetails } from '@openfeature/core'
import type { Assignment, ParsedConfig } from '@splitlane/core'
import { contextOf } from './resolve.js'
import type { ProviderEvent, SplitlaneProviderOptions } from './types.js'

type Emit = (
  event: ProviderEvent,
  details: { message?: string; flagsChanged?: string[]; metadata?: Record<string, string | number | boolean> },
) => void

/** The experiments whose definition differs between two configs (all of them when a holdout, layer or segment changed). */
export function changedFlags(before: ParsedConfig, after: ParsedConfig): string[] {
  const shared = (config: ParsedConfig) => JSON.stringify([config.holdout, config.layers, config.segments])
  const names = new Set([...Object.keys(before.experiments), ...Object.keys(after.experiments)])
  if (shared(before) !== shared(after)) return [...names]
  const definition = (config: ParsedConfig, name: string) =>
    Object.hasOwn(config.experiments, name) ? JSON.stringify(config.experiments[name]) : undefined
  return [...names].filter((name) => definition(before, name) !== definition(after, name))
}

/**
 * What the server and web providers share: readiness from the config source, change and staleness events,
 * and tracking into the metrics recorder. `emit` sends one event through the SDK's own emitter.
 */
export function createProviderLifecycle(options: SplitlaneProviderOptions, emit: Emit) {
  const { splitter, recorder, recordEvaluations = true } = options
  let lastConfig = splitter.config
  // starting: until the source's first load settles (READY or ERROR then says it all); degraded: after ERROR or STALE.
  let phase: 'starting' | 'ready' | 'degraded' = options.source === undefined ? 'ready' : 'starting'
  const revisionOf = (): Record<string, string | number> => (splitter.revision === null ? {} : { revision: splitter.revision })

  /** Emits PROVIDER_CONFIGURATION_CHANGED if the splitter's config changed since last seen, by whatever path. */
  function noticeChanges(): void {
    const config = splitter.config
    if (config === lastConfig) return
    const flagsChanged = changedFlags(lastConfig, config)
    lastConfig = config
    if (flagsChanged.length > 0) emit('PROVIDER_CONFIGURATION_CHANGED', { flagsChanged, metadata: revisionOf() })
  }

  function recovered(): void {
    phase = 'ready'
    emit('PROVIDER_READY', { message: 'the config source recovered', metadata: revisionOf() })
  }

  const source = options.source?.({
    onUpdate() {
      if (phase === 'starting') return
      if (phase === 'degraded') recovered()
      noticeChanges()
    },
    onReject(rejection) {
      // Before the first good document, initialize() reports it (PROVIDER_ERROR); after it, the splitter keeps
      // serving the last good config, which may now be out of date.
      if (phase !== 'ready') return
      phase = 'degraded'
      emit('PROVIDER_STALE', { message: rejection.error.message, metadata: revisionOf() })
    },
  })

  return {
    initialize: async (): Promise<void> => {
      if (source === undefined) return
      const status = await source.ready
      lastConfig = splitter.config // READY (or ERROR) announces the config as it is: no change event for the first load
      if (status.updates === 0 && status.lastError !== null) {
        phase = 'degraded'
        throw new Error(`splitlane: no config from ${status.source} yet: ${status.lastError.message}`, { cause: status.lastError })
      }
      phase = 'ready'
    },
    /** Called before each evaluation: cheap identity and status checks, so updates by any path are announced. */
    beforeEvaluation: (): void => {
      noticeChanges()
      if (phase === 'degraded' && source !== undefined && source.status().consecutiveFailures === 0) recovered()
    },
    onAssignment: recorder !== undefined && recordEvaluations ? (assignment: Assignment) => recorder.record(assignment) : undefined,
    track: (name: string, context: EvaluationContext | undefined, details: TrackingEventDetails | undefined): void => {
      if (recorder === undefined) return
      const value = typeof details?.value === 'number' && Number.isFinite(details.value) ? details.value : 1
      const assignments = splitter.assignAll(contextOf(context))
      for (const experiment of Object.keys(assignments)) {
        const assignment = assignments[experiment]!
        if (assignment.inExperiment) recorder.record(assignment, { eventsOnly: true, events: { [name]: value } })
      }
    },
    close: (): Promise<void> => {
      source?.close()
      return Promise.resolve()
    },
  }
}
