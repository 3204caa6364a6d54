// withSplitlane: any Fetch-API handler `(request) => Response` split, labelled and measured (Node, Bun, Deno, Workers, Hono).
import { ErrorCode, SplitlaneError } from '@splitlane/core'
import { createHttpSplit, type RequestSplit, type RequestView } from '@splitlane/core/adapter'
import { defaultCookieSignature } from './cookie-signature.js'
import { envVariable } from './env.js'
import { heldUntilFinished, waitUntilOf } from './lifecycle.js'
import type { FetchHandler, SplitlaneAssignments, SplitlaneServerOptions } from './server-types.js'
import { objectTag } from './tag.js'

const splits = objectTag<Request, RequestSplit>('splitlane.split')

// Responses whose outcome is recorded when their body ends (a proxied body may break after the status was sent).
const finishedByBody = objectTag<Response, true>('splitlane.finishedByBody')

/** Marks a response whose body records the request's outcome itself (`split.finish`), instead of `withSplitlane` at its return. */
export const finishesWithBody = (response: Response): Response => (finishedByBody.set(response, true), response)

/** A plain-text answer splitlane gives itself (a 5xx from routing or a proxy). */
export const textResponse = (status: number, body: string): Response =>
  new Response(body, { status, headers: { 'content-type': 'text/plain' } })

/** The split of a request inside a handler wrapped by `withSplitlane`. */
export const serverSplitOf = (request: Request): RequestSplit | undefined => splits.get(request)

/** The request's assignments by experiment (empty outside `withSplitlane`). */
export const assignmentsOf = (request: Request): SplitlaneAssignments => splits.get(request)?.assignments ?? {}

/** What core reads of a `Request`. A class: one small object per request instead of an object and seven closures. */
class FetchView implements RequestView {
  #url: URL | undefined
  constructor(
    private readonly request: Request,
    private readonly options: SplitlaneServerOptions,
  ) {}
  private parsed() {
    return (this.#url ??= new URL(this.request.url))
  }
  header(name: string) {
    return this.request.headers.get(name) ?? undefined
  }
  ip() {
    return this.options.getIp?.(this.request)
  }
  path() {
    return this.parsed().pathname
  }
  user() {
    return this.options.getUser?.(this.request)
  }
  secure() {
    return this.parsed().protocol === 'https:'
  }
  query(name: string) {
    return this.parsed().searchParams.getAll(name)
  }
}

/** Adds headers to a response, copying it first when its headers are immutable (a `fetch` response). */
function withHeaders(response: Response, headers: readonly (readonly [string, string])[]): Response {
  if (headers.length === 0) return response
  try {
    for (const [name, value] of headers) response.headers.append(name, value)
    return response
  } catch {
    const copy = new Response(response.body, response)
    for (const [name, value] of headers) copy.headers.append(name, value)
    return copy
  }
}

/**
 * Wraps a Fetch-API handler: each request is split (sticky cookie, user id, getters), its
 * assignments are readable with `assignmentsOf(request)`, the response carries the variant header
 * (and the cookie), and the outcome is recorded per variant. Extra arguments (Workers' `env`,
 * `ctx`) are passed through.
 */
export function withSplitlane<Rest extends unknown[]>(handler: FetchHandler<Rest>, options: SplitlaneServerOptions): FetchHandler<Rest> {
  const split = createHttpSplit<Request>({
    randomId: () => crypto.randomUUID(),
    now: () => performance.now(),
    clock: Date.now,
    cookieSignature: defaultCookieSignature.signature,
    cookieSecretFromEnv: envVariable('SPLITLANE_COOKIE_SECRET'),
    ...options,
  })
  const report = split.report
  // Asynchronous signatures (WebCrypto, a splitter's override tokens) are checked before begin; synchronous ones in it.
  const prepares = options.cookieSignature !== undefined || !defaultCookieSignature.synchronous || options.overrideTokens !== undefined
  return async (request: Request, ...rest: Rest): Promise<Response> => {
    if (splits.get(request) !== undefined) return handler(request, ...rest) // wrapped twice: the outer split labels and counts it
    let begun: RequestSplit
    try {
      const view = new FetchView(request, options)
      const prepared = prepares ? split.prepare(view) : undefined
      begun = split.begin(request, view, undefined, prepared && (await prepared))
      const waitUntil = options.waitUntil ?? waitUntilOf(rest) // Workers: the outcome may be recorded after the response
      if (waitUntil !== undefined) begun = heldUntilFinished(begun, waitUntil)
      splits.set(request, begun)
      // A client that went away counts as an error of its variant (servers abort the request's signal then)
      const own = begun
      request.signal.addEventListener('abort', () => own.finish({ error: true }), { once: true })
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.Internal, 'withSplitlane failed; the request goes on unsplit', { cause }))
      return handler(request, ...rest)
    }
    let response: Response
    try {
      response = await begun.run(() => handler(request, ...rest))
    } catch (error) {
      if (options.onHandlerError === undefined) {
        begun.finish({ error: true })
        throw error
      }
      response = await options.onHandlerError(error, request)
    }
    if (finishedByBody.get(response) === undefined) begun.finish({ status: response.status })
    return withHeaders(response, begun.responseHeaders)
  }
}
