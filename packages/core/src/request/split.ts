// The one function every adapter calls per request: read the request, assign the route's
// experiments, build the response headers, and record the outcome when the request ends.
import { ErrorCode, SplitlaneError } from '../errors.js'
import { attributesUsedBy } from '../targeting/conditions.js'
import { withInherited } from '../override-tokens.js'
import { own } from '../own.js'
import type { Assignment, Context, ParsedConfig, VerifiedOverrides } from '../types.js'
import { createStickyCookie } from './cookie.js'
import { overrideTokenSources, readOverrideTokens } from './override-tokens.js'
import { readRequest, type ReadRequest } from './read-request.js'
import { upstreamOf } from './upstream.js'
import type { HttpOutcome, HttpSplitOptions, PreparedCookie, RequestSplit, RequestView, UpstreamResult } from './types.js'
import { DEFAULT_VARIANT_HEADER, formatVariantHeader } from './variant-header.js'

export interface HttpSplit<Req> {
  /**
   * Splits one request. Never throws: on any problem the request gets control and `onError` hears why.
   * `experiments` overrides the option of the same name for this request (a route's own list).
   */
  begin(request: Req, view: RequestView, experiments?: readonly string[], prepared?: PreparedCookie): RequestSplit
  /**
   * For asynchronous signatures (WebCrypto): verifies the request's sticky cookie, and signs a fresh id, and
   * verifies its override tokens, ahead of `begin`, which takes the result. Undefined when neither is on. Never rejects.
   */
  prepare(view: RequestView): Promise<PreparedCookie> | undefined
  /** The variant header's name, or `false` when disabled. */
  readonly variantHeader: string | false
  /** Hands an adapter's own problem to `onError`, which may throw without failing the request. */
  readonly report: (error: SplitlaneError) => void
}

/**
 * Control for a request that could not be read, marked as an error. The splitter assigned an empty context,
 * where a random draw or a rule on a missing attribute may still pick another variant: control replaces it.
 */
function asError(assignment: Assignment, code: ErrorCode, config: ParsedConfig): Assignment {
  const experiment = own(config.experiments, assignment.experiment)
  const control = experiment?.variants.find((variant) => variant.name === experiment.control)
  if (control === undefined) return { ...assignment, reason: 'error', inExperiment: false, errorCode: code }
  const evidence = { ruleId: undefined, source: undefined, hash: null, bucket: null }
  return { ...assignment, ...evidence, variant: control.name, value: control.value, reason: 'error', inExperiment: false, errorCode: code }
}

interface Assigned {
  readonly list: Assignment[]
  readonly record?: Record<string, Assignment>
}

/** A proxy's note (fallback, hidden failure of the variant) joins the outcome of its experiment, for the recorder and the instruments alike. */
function withNote(outcome: HttpOutcome, notes: Map<string, HttpOutcome> | undefined, assignment: Assignment): HttpOutcome {
  const noted = notes?.get(assignment.experiment)
  return noted === undefined ? outcome : { ...outcome, ...noted }
}

export function createHttpSplit<Req>(options: HttpSplitOptions<Req>): HttpSplit<Req> {
  const { splitter, onError, metrics, otel } = options
  const variantHeader = options.responseHeader === false ? false : (options.responseHeader ?? DEFAULT_VARIANT_HEADER).toLowerCase()
  const now = options.now ?? (() => Number.NaN)
  const report = (error: SplitlaneError) => {
    try {
      onError?.(error)
    } catch {
      // a failing error handler must not fail the request
    }
  }
  const guard = (what: string, action: () => void) => {
    try {
      action()
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.CallbackFailed, `${what} threw`, { cause }))
    }
  }

  const sticky =
    options.cookie === false ? undefined : createStickyCookie(options.cookie ?? {}, options.cookieSignature, options.cookieSecretFromEnv)
  const prepareCookie = (view: RequestView): Promise<PreparedCookie> | undefined =>
    sticky === undefined
      ? undefined
      : Promise.resolve()
          .then(() => sticky.prepare(view.header('cookie'), options.randomId))
          .catch((cause: unknown) => {
            report(new SplitlaneError(ErrorCode.RequestInvalid, 'reading or signing the sticky cookie failed', { cause }))
            return { id: null }
          })
  const tokenSources = overrideTokenSources(options.overrideTokens)
  const clock = options.clock ?? (() => Number.NaN)
  /** Verifies the request's override tokens ahead of `begin`: a splitter that signs with WebCrypto answers asynchronously. */
  const prepareOverrides = (view: RequestView): Promise<VerifiedOverrides | null> =>
    Promise.resolve()
      .then(() => {
        const tokens = readOverrideTokens(view, tokenSources!)
        return tokens === '' ? null : splitter.verifyOverrides(tokens, clock())
      })
      .catch((cause: unknown) => {
        report(new SplitlaneError(ErrorCode.RequestInvalid, 'reading or verifying override tokens failed', { cause }))
        return null
      })
  const prepare = (view: RequestView): Promise<PreparedCookie> | undefined => {
    const cookie = prepareCookie(view)
    if (tokenSources === undefined) return cookie
    return Promise.all([cookie, prepareOverrides(view)]).then(([found, overrides]) => ({ ...(found ?? { id: undefined }), overrides }))
  }
  /** Verified override tokens from the request go into its context; bad ones are reported by the splitter and ignored. */
  const addOverrides = (context: Context, view: RequestView) => {
    let tokens: string
    try {
      tokens = readOverrideTokens(view, tokenSources!)
    } catch (cause) {
      return report(new SplitlaneError(ErrorCode.RequestInvalid, 'reading override tokens threw', { cause }))
    }
    if (tokens === '') return
    const verified = splitter.verifyOverrides(tokens, clock())
    if (typeof (verified as { then?: unknown }).then === 'function') {
      ;(verified as Promise<unknown>).then(undefined, () => {}) // not awaited: never an unhandled rejection
      report(
        new SplitlaneError(
          ErrorCode.OptionsInvalid,
          'overrideTokens: the splitter signs asynchronously (WebCrypto); on the request path pass a synchronous overrideTokens.sign, e.g. node:crypto createHmac',
        ),
      )
      return
    }
    context.overrides = verified as VerifiedOverrides
  }

  const runInContext = <T>(list: readonly Assignment[], fn: () => T): T => {
    let ran = false
    try {
      return otel!.run!(list, () => {
        ran = true
        return fn()
      })
    } catch (cause) {
      if (ran) throw cause // the caller's own code threw: not ours to swallow
      report(new SplitlaneError(ErrorCode.CallbackFailed, 'otel.run threw', { cause }))
      return fn()
    }
  }

  let usedBy: { config: object; used: ReadonlySet<string> } = { config: {}, used: new Set() }
  const attributesUsed = (): ReadonlySet<string> => {
    const config = splitter.config
    if (usedBy.config !== config) usedBy = { config, used: attributesUsedBy(config) }
    return usedBy.used
  }

  // The splitter's record has a null prototype (dictionary mode), where Object.values is slow: read it by
  // the config's experiment names (its order), cached per config.
  let namesOf: { config: object; names: readonly string[] } = { config: {}, names: [] }
  const everyExperiment = (context: Context): Assigned => {
    const config = splitter.config
    if (namesOf.config !== config) namesOf = { config, names: Object.keys(config.experiments) }
    const record = splitter.assignAll(context)
    const list: Assignment[] = []
    for (const name of namesOf.names) if (record[name] !== undefined) list.push(record[name])
    return { list, record }
  }

  /** Variants decided upstream (W3C baggage), handed to the splitter's pipeline as one of its steps. */
  const addInherited = (context: Context) => {
    let inherited: Readonly<Record<string, string>> | undefined
    guard('otel.inherited', () => (inherited = otel!.inherited!()))
    if (inherited !== undefined && Object.keys(inherited).length > 0) context.overrides = withInherited(context.overrides, inherited)
  }

  /** The request's assignments; `record` when the splitter's own record holds exactly them (the common case). */
  const assignAll = (read: ReadRequest, names: readonly string[] | undefined): Assigned => {
    const context = read.errors.length === 0 ? read.context : {}
    const assigned = names === undefined ? everyExperiment(context) : { list: names.map((name) => splitter.assign(name, context)) }
    if (read.errors.length > 0) {
      const config = splitter.config
      return { list: assigned.list.map((assignment) => asError(assignment, read.errors[0]!.code, config)) }
    }
    return assigned
  }

  const record = (list: readonly Assignment[], outcome: HttpOutcome, notes: Map<string, HttpOutcome> | undefined) => {
    if (metrics !== undefined)
      for (const assignment of list) {
        if (assignment.variant === null) continue
        try {
          metrics.record(assignment, withNote(outcome, notes, assignment))
        } catch (cause) {
          report(new SplitlaneError(ErrorCode.CallbackFailed, 'metrics.record threw', { cause }))
        }
      }
    if (otel?.finished !== undefined)
      guard('otel.finished', () => {
        if (notes === undefined) otel.finished!(list, outcome)
        else for (const assignment of list) otel.finished!([assignment], withNote(outcome, notes, assignment))
      })
  }

  const shared: SplitShared = {
    now,
    record,
    report,
    splitter,
    run: otel?.run === undefined ? (_list, fn) => fn() : runInContext,
  }

  const begin = (request: Req, view: RequestView, experiments = options.experiments, prepared?: PreparedCookie): RequestSplit => {
    const started = now()
    let read: ReadRequest
    let assigned: Assigned
    try {
      read = readRequest(request, view, options, attributesUsed(), sticky, prepared)
      for (const error of read.errors) report(error)
      if (tokenSources !== undefined && read.errors.length === 0) {
        if (prepared?.overrides === undefined) addOverrides(read.context, view)
        else if (prepared.overrides !== null) read.context.overrides = prepared.overrides
      }
      if (otel?.inherited !== undefined && read.errors.length === 0) addInherited(read.context)
      assigned = assignAll(read, experiments)
    } catch (cause) {
      // only a broken splitter object gets here
      const error = new SplitlaneError(ErrorCode.Internal, 'splitting the request threw', { cause })
      report(error)
      read = { context: { key: null, attributes: {} }, mintedId: undefined, errors: [error] }
      assigned = { list: [] }
    }
    const list = assigned.list
    let assignments = assigned.record
    if (assignments === undefined) {
      assignments = Object.create(null) as Record<string, Assignment>
      for (const assignment of list) assignments[assignment.experiment] = assignment
    }
    if (otel?.assigned !== undefined) guard('otel.assigned', () => otel.assigned!(list))

    const headerValue = variantHeader === false ? '' : formatVariantHeader(list)
    const upstreamHeader = variantHeader === false || headerValue === '' ? undefined : ([variantHeader, headerValue] as const)
    const responseHeaders: (readonly [string, string])[] = upstreamHeader === undefined ? [] : [upstreamHeader]
    if (read.mintedValue !== undefined && sticky !== undefined) {
      let secure = false
      guard('reading the protocol', () => (secure = view.secure?.() === true))
      responseHeaders.push(['set-cookie', sticky.header(read.mintedValue, secure)])
    }

    return new Split(shared, list, started, assignments, read.context, responseHeaders, read.mintedId, upstreamHeader)
  }

  return { begin, prepare, variantHeader, report }
}

/** What the splits of one `createHttpSplit` share. */
interface SplitShared {
  readonly now: () => number
  readonly record: (list: readonly Assignment[], outcome: HttpOutcome, notes: Map<string, HttpOutcome> | undefined) => void
  readonly report: (error: SplitlaneError) => void
  readonly splitter: HttpSplitOptions<unknown>['splitter']
  readonly run: <T>(list: readonly Assignment[], fn: () => T) => T
}

/** One request, split. A class: a request costs one object, not an object and five closures. */
class Split implements RequestSplit {
  #finished = false
  #notes: Map<string, HttpOutcome> | undefined // a proxy's fallback and hidden failure, per experiment
  #ttfbMs: number | undefined
  readonly #shared: SplitShared
  readonly #list: readonly Assignment[]
  readonly #started: number
  constructor(
    shared: SplitShared,
    list: readonly Assignment[],
    started: number,
    readonly assignments: Record<string, Assignment>,
    readonly context: Context,
    readonly responseHeaders: readonly (readonly [string, string])[],
    readonly mintedId: string | undefined,
    readonly upstreamHeader: readonly [string, string] | undefined,
  ) {
    this.#shared = shared
    this.#list = list
    this.#started = started
  }
  run<T>(fn: () => T): T {
    return this.#shared.run(this.#list, fn)
  }
  finish({ status, error }: { status?: number; error?: boolean }): void {
    if (this.#finished) return
    this.#finished = true
    const latencyMs = this.#shared.now() - this.#started
    const failed = error === true || undefined
    const outcome: HttpOutcome = Number.isNaN(latencyMs) ? { status, error: failed } : { status, error: failed, latencyMs }
    if (this.#ttfbMs !== undefined && !Number.isNaN(this.#ttfbMs)) outcome.ttfbMs = this.#ttfbMs
    this.#shared.record(this.#list, outcome, this.#notes)
  }
  firstByte(): void {
    this.#ttfbMs ??= this.#shared.now() - this.#started
  }
  note(experiment: string, extra: { readonly fallback?: boolean; readonly error?: boolean }): void {
    this.#notes ??= new Map()
    this.#notes.set(experiment, { ...this.#notes.get(experiment), ...extra })
  }
  upstream(
    experiment: string | undefined,
    among: Readonly<Record<string, Assignment>> = this.assignments,
    env?: Readonly<Record<string, string | undefined>>,
  ): UpstreamResult {
    return upstreamOf(this.#shared.splitter, among, experiment, env)
  }
  report(error: SplitlaneError): void {
    this.#shared.report(error)
  }
}
