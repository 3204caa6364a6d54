import {
  OpenFeatureEventEmitter,
  type ServerProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/server-sdk'
import { createProviderLifecycle } from './lifecycle.js'
import { resolveFlag } from './resolve.js'
import type { SplitlaneProviderOptions } from './types.js'

/** An OpenFeature provider for `@openfeature/server-sdk`: every experiment of the splitter's config is a flag. */
export function createOpenFeatureProvider(options: SplitlaneProviderOptions): Provider & { readonly events: OpenFeatureEventEmitter } {
  const { splitter } = options
  const events = new OpenFeatureEventEmitter()
  const lifecycle = createProviderLifecycle(options, (event, details) => events.emit(event as ServerProviderEvents, details))
  const resolve = <T extends JsonValue>(
    flagKey: string,
    type: 'boolean' | 'string' | 'number' | 'object',
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> => {
    lifecycle.beforeEvaluation()
    return Promise.resolve(resolveFlag(splitter, flagKey, type, defaultValue, context, lifecycle.onAssignment))
  }
  return {
    metadata: { name: 'splitlane' },
    runsOn: 'server',
    events,
    initialize: lifecycle.initialize,
    onClose: lifecycle.close,
    resolveBooleanEvaluation: (flagKey, defaultValue, context) => resolve(flagKey, 'boolean', defaultValue, context),
    resolveStringEvaluation: (flagKey, defaultValue, context) => resolve(flagKey, 'string', defaultValue, context),
    resolveNumberEvaluation: (flagKey, defaultValue, context) => resolve(flagKey, 'number', defaultValue, context),
    resolveObjectEvaluation: (flagKey, defaultValue, context) => resolve(flagKey, 'object', defaultValue, context),
    track: (name: string, context: EvaluationContext, details: TrackingEventDetails) => lifecycle.track(name, context, details),
  }
}
