import { ErrorCode, SplitlaneConfigError, SplitlaneError, type ConfigIssue, type Splitter } from '@splitlane/core'

/** A config document that was not swapped in, and why. The splitter keeps the config it had. */
export interface ConfigRejection {
  /** Where the document came from: a file path or a URL. */
  readonly source: string
  readonly error: SplitlaneError
  /** Every problem with its path (empty when the document could not be fetched at all). */
  readonly issues: readonly ConfigIssue[]
}

export interface ConfigUpdate {
  readonly source: string
  readonly revision: string | number | null
}

export interface ConfigSourceStatus {
  readonly source: string
  /** The revision of the config the splitter is using now. */
  readonly revision: string | number | null
  readonly updates: number
  readonly rejections: number
  readonly consecutiveFailures: number
  readonly lastError: SplitlaneError | null
}

export interface ConfigSource {
  /** Settles after the first load attempt, whether it was accepted or rejected. */
  readonly ready: Promise<ConfigSourceStatus>
  /** Loads now (joining a load already in flight). */
  refresh: () => Promise<ConfigSourceStatus>
  status: () => ConfigSourceStatus
  /** Stops watching or polling; the splitter keeps the config it has. */
  close: () => void
}

export interface ConfigSourceCallbacks {
  /** Called after a new document is swapped in. */
  onUpdate?: (update: ConfigUpdate) => void
  /** Called for every rejected document or failed load. Defaults to one `console.warn` line. */
  onReject?: (rejection: ConfigRejection) => void
}

/** The bookkeeping both sources share: parse, swap atomically through `splitter.update`, report. */
export function createConfigApplier(source: string, splitter: Splitter, callbacks: ConfigSourceCallbacks) {
  let lastText: string | null = null
  let updates = 0
  let rejections = 0
  let consecutiveFailures = 0
  let lastError: SplitlaneError | null = null
  const onReject =
    callbacks.onReject ?? ((rejection) => console.warn(`splitlane: config from ${source} rejected: ${rejection.error.message}`))

  function reject(error: SplitlaneError): false {
    rejections += 1
    consecutiveFailures += 1
    lastError = error
    const issues = error instanceof SplitlaneConfigError ? error.issues : []
    safely(() => onReject({ source, error, issues }))
    return false
  }

  return {
    /** Swaps in the document if it is valid and new; returns false when it was rejected. */
    applyText(text: string): boolean {
      if (text === lastText) return succeeded()
      let document: unknown
      try {
        document = JSON.parse(text)
      } catch (cause) {
        return reject(new SplitlaneConfigError([{ path: '', message: `not valid JSON (${messageOf(cause)})` }]))
      }
      let result: ReturnType<Splitter['update']>
      try {
        result = splitter.update(document as Parameters<Splitter['update']>[0])
      } catch (cause) {
        // `update` should return its errors, but a throw must not stop the source or replace the config.
        const message = `splitter.update threw while applying the config from ${source}: ${messageOf(cause)}`
        return reject(new SplitlaneError(ErrorCode.Internal, message, { cause }))
      }
      if (!result.ok) return reject(result.error)
      lastText = text
      updates += 1
      safely(() => callbacks.onUpdate?.({ source, revision: result.revision }))
      return succeeded()
    },
    /** Records a load that produced no document (network error, HTTP error, unreadable file, timeout, too large). */
    fail(message: string, cause?: unknown, code: ErrorCode = ErrorCode.SourceUnavailable): false {
      return reject(new SplitlaneError(code, `Could not load config from ${source}: ${message}`, { cause }))
    },
    succeeded,
    status: (): ConfigSourceStatus => ({ source, revision: splitter.revision, updates, rejections, consecutiveFailures, lastError }),
  }

  function succeeded(): true {
    consecutiveFailures = 0
    return true
  }
}

export type ConfigApplier = ReturnType<typeof createConfigApplier>

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function safely(callback: () => void): void {
  try {
    callback()
  } catch {
    // A throwing callback must not stop the source.
  }
}

/** Largest config document a source reads, unless told otherwise: 1 MiB (a large real config is a few tens of KB). */
export const DEFAULT_MAX_BYTES = 1024 * 1024

/** A duration or size option: a positive finite number, or `fallback` when absent. A bad value would make a timer spin. */
export function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  throw new SplitlaneError(ErrorCode.OptionsInvalid, `config source option ${name} must be a positive number, got ${String(value)}`)
}

/** The error for a document over a source's `maxBytes`. */
export function tooLarge(what: string, maxBytes: number): SplitlaneError {
  return new SplitlaneError(ErrorCode.SourceTooLarge, `the document is too large: ${what}, over maxBytes (${maxBytes})`)
}
