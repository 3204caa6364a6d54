// Express middleware: translate the request for core, hand off, store the assignments.
import { randomUUID } from 'node:crypto'
import cookieSignature from 'cookie-signature'
import { performance } from 'node:perf_hooks'
import { ErrorCode, SplitlaneError } from '@splitlane/core'
import { addScope, createHttpSplit, type RequestSplit, type RequestView, type SplitScopes } from '@splitlane/core/adapter'
import type { Request, RequestHandler, Response } from 'express'
import type { ExpressSplitlaneOptions } from './types.js'

const STATE = Symbol.for('splitlane.express.state')
const SPLIT_FOR = Symbol.for('splitlane.express.splitFor')
// Kept on the response: each property added to `req` past the first can turn it into a slow dictionary object for the
// rest of the request (it did under light-my-request's inject), and `req.splitlane` is the one the API puts there.
type WithState = Response & { [STATE]?: RequestSplit; [SPLIT_FOR]?: SplitScopes }

/** The split of the request, for proxy mode. */
export function splitStateOf(req: Request): RequestSplit | undefined {
  return (req.res as WithState | undefined)?.[STATE]
}

/** What core reads of an Express request. A class: one small object per request instead of an object and seven closures. */
class ExpressView implements RequestView {
  constructor(private readonly req: Request) {}
  header(name: string) {
    return this.req.headers[name]
  }
  ip() {
    return this.req.ip
  }
  path() {
    return this.req.path
  }
  user() {
    return (this.req as { user?: unknown }).user
  }
  secure() {
    return this.req.secure
  }
  mintedId() {
    return splitStateOf(this.req)?.mintedId
  }
  query(name: string) {
    return (this.req.query as Record<string, unknown>)[name]
  }
}

/** `app.use(splitlane({ splitter }))`: every request gets its assignments in `req.splitlane`. */
export function splitlane(options: ExpressSplitlaneOptions): RequestHandler {
  const split = createHttpSplit<Request>({
    randomId: randomUUID,
    now: () => performance.now(),
    clock: Date.now,
    cookieSignature,
    cookieSecretFromEnv: process.env['SPLITLANE_COOKIE_SECRET'],
    ...options,
  })
  const report = split.report
  // Mounted twice (app and router) for the same experiments: the second pass would label and count the request again.
  const scope = options.experiments === undefined ? '*' : options.experiments.join(',')
  return (req: Request, res: Response, next) => {
    const held = res as WithState
    const scopes = addScope(held[SPLIT_FOR], scope)
    if (scopes === undefined) return next()
    held[SPLIT_FOR] = scopes
    let request: RequestSplit
    try {
      request = split.begin(req, new ExpressView(req))
      const assignments = req.splitlane === undefined ? request.assignments : { ...req.splitlane, ...request.assignments }
      req.splitlane = assignments
      res.locals.splitlane = assignments
      held[STATE] = request
      // setHeader when nothing is there yet: res.append (which keeps earlier values) costs more per call
      for (const [name, value] of request.responseHeaders)
        if (res.getHeader(name) === undefined) res.setHeader(name, value)
        else res.append(name, value)
      // 'close' follows 'finish' when the response was sent, and comes alone when the client went away (once: finish ignores repeats)
      res.on('close', () => request.finish(res.writableFinished ? { status: res.statusCode } : { error: true }))
    } catch (cause) {
      report(new SplitlaneError(ErrorCode.Internal, 'the Express adapter failed; the request goes on unsplit', { cause }))
      next()
      return
    }
    request.run(next)
  }
}

/** @deprecated Renamed `splitlane`, the name of every adapter's entry point; this alias goes in 1.0. */
export const createExpressMiddleware = splitlane
