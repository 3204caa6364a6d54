// Public types of the shared request logic that every adapter (express, fastify, fetch) calls.
import type { SplitlaneError } from '../errors.js'
import type { FallbackRoutes } from '../routing/fallback-policy.js'
import type { ProxyTarget } from '../routing/router.js'
import type { Assignment, Attributes, Context, ErrorHandler, Splitter, VerifiedOverrides } from '../types.js'

/** What an adapter tells core about one request. Every method may throw: core catches. */
export interface RequestView {
  /** A header by lower-case name, as the framework holds it. */
  header(name: string): string | readonly string[] | undefined
  /** The client IP as the framework reports it (trust-proxy aware there), if known. */
  ip(): string | undefined
  /** The path without the query string. */
  path(): string
  /** The authenticated user the framework attached (Express/Passport `req.user`), if any. */
  user?(): unknown
  /** Was the request made over HTTPS (as the framework sees it, trust-proxy aware)? */
  secure?(): boolean
  /** A session id an earlier split of this same request minted or re-signed (two middlewares on one route): reused, not set again. */
  mintedId?(): string | undefined
  /** A query parameter, as the framework parsed it (read only for override tokens). */
  query?(name: string): unknown
}

/** Where a request may carry signed override tokens; each defaults to the name shown, `false` ignores it. */
export interface OverrideTokenSources {
  /** Default `splitlane-override`. */
  header?: string | false
  /** Default `splitlane-override`. */
  query?: string | false
  /** Default `splitlane_override`. */
  cookie?: string | false
}

/** What happened to a request, as the metrics recorder takes it (a subset of contract 1's `Outcome`). */
export interface HttpOutcome {
  /** HTTP status sent; 5xx counts as an error. */
  status?: number
  /** Thrown, aborted or a network error. */
  error?: boolean
  /** Total duration in milliseconds. */
  latencyMs?: number
  /** Time to first byte in milliseconds: until a proxy's upstream response headers arrived (see `RequestSplit.firstByte`). */
  ttfbMs?: number
  /** Served by control after the variant failed or was skipped (a proxy's fallback). */
  fallback?: boolean
}

/** Anything that takes per-variant outcomes, such as `createMetricsRecorder()`. Must not throw (core catches anyway). */
export interface OutcomeRecorder {
  record(unit: { experiment: string; variant: string | null }, outcome: HttpOutcome): void
}

/** The sticky session cookie. */
export interface StickyCookieOptions {
  /**
   * The secret the cookie is signed with (HMAC-SHA256, in the format of `cookie-signature`, which Express
   * and Fastify use), or a list: the first signs, every one verifies (rotate by putting a new secret first,
   * and drop the old one once its cookies may have expired). Default: the `SPLITLANE_COOKIE_SECRET`
   * environment variable, where the adapter can read one.
   */
  secret?: string | readonly string[]
  /**
   * Default `true`: signed, so a visitor cannot choose its own id, and without a secret the adapter
   * refuses to start (`SPLITLANE_ERR_COOKIE_SECRET_MISSING`). `false` keeps the id in clear: any visitor
   * can then send an id of its choosing, and with it pick its variants (see docs/reference/security.md).
   */
  signed?: boolean
  /** Default `splitlane_id`. */
  name?: string
  /** `true`, `false`, or `'auto'` (default): Secure when the request came over HTTPS. */
  secure?: boolean | 'auto'
  /** Default 400 days (the longest browsers keep a cookie). */
  maxAgeSeconds?: number
  /** Default `/`. */
  path?: string
  domain?: string
}

/**
 * HMAC signing of cookie values, in the shape of the `cookie-signature` package: `sign(value, secret)` gives
 * `value.signature`, `unsign(signed, secret)` gives back the value or `false`. Adapters supply it (Express
 * and Fastify: `cookie-signature` itself; Fetch: WebCrypto, asynchronous).
 */
export interface CookieSignature {
  sign(value: string, secret: string): string | Promise<string>
  unsign(signed: string, secret: string): string | false | Promise<string | false>
}

/** What `HttpSplit.prepare` found ahead of `begin`, for asynchronous cookie signatures. */
export interface PreparedCookie {
  /** The id the cookie carries; undefined when absent, null when present but not signed by us. */
  readonly id: string | null | undefined
  /** A fresh id and its signed cookie value, for a request without a valid cookie. */
  readonly fresh?: { readonly id: string; readonly value: string }
  /** The cookie's id signed with the current secret, when an older one of the rotation list signed it. */
  readonly resigned?: string | undefined
  /** The request's override tokens, verified ahead (WebCrypto signs asynchronously); null when it has none. */
  readonly overrides?: VerifiedOverrides | null
}

/** Hooks `@splitlane/core/otel` provides (`createOtelInstrumentation`); any object of this shape works. */
export interface HttpInstrumentation {
  /** Variants decided upstream (W3C baggage) that this service honours instead of re-rolling. */
  inherited?(): Readonly<Record<string, string>> | undefined
  /** Called once per request with its assignments (span events). */
  assigned?(assignments: readonly Assignment[]): void
  /** Runs the rest of the request in a context that carries the variants (baggage). */
  run?<T>(assignments: readonly Assignment[], fn: () => T): T
  /** Called once per request when it ends (OpenTelemetry counter and histogram). */
  finished?(assignments: readonly Assignment[], outcome: HttpOutcome): void
}

/** Options every adapter takes; `Req` is the framework's request type, handed to your getters. */
export interface HttpSplitOptions<Req> {
  splitter: Splitter
  /** The experiments to assign on this route; default: every experiment in the config. */
  experiments?: readonly string[]
  /** A header that carries the user id (e.g. `x-user-id`, set by your gateway). Default: none. */
  userIdHeader?: string | false
  /**
   * The sticky session cookie (on by default, signed with `secret` or `SPLITLANE_COOKIE_SECRET`), or
   * `false` to neither read nor set one.
   */
  cookie?: StickyCookieOptions | false
  /** How cookie values are signed; each adapter sets its own (you rarely need this). */
  cookieSignature?: CookieSignature
  /** The secret used when `cookie.secret` is not given; adapters pass `SPLITLANE_COOKIE_SECRET` from the environment. */
  cookieSecretFromEnv?: string
  /** Request headers copied into the attributes under their lower-case names (when the config's rules or `bucketBy` name them). */
  headers?: readonly string[]
  /** The response header naming each experiment's variant; default `splitlane-variant`; `false` for none. */
  responseHeader?: string | false
  /** Your own key; when it returns a key, it wins over the user id and the cookie. */
  getKey?: (request: Req) => Context['key']
  /** Extra attributes, merged over the defaults (`ip`, `path`, `userId`, `sessionId`, headers). */
  getAttributes?: (request: Req) => Attributes | undefined
  /** Per-variant outcomes go here, e.g. `createMetricsRecorder()`. */
  metrics?: OutcomeRecorder
  /** OpenTelemetry hooks from `createOtelInstrumentation()` (`@splitlane/core/otel`). */
  otel?: HttpInstrumentation
  /** Receives every request problem; the request itself always goes on (with control on errors). */
  onError?: ErrorHandler
  /** Mints a session id when the request has none (without it, nothing is minted); adapters default to `crypto.randomUUID`. */
  randomId?: () => string
  /** A clock in milliseconds for latency; adapters default to `performance.now`. */
  now?: () => number
  /**
   * Honour signed, expiring override tokens sent with the request (`true`: the default header, query
   * parameter and cookie). They are checked by `splitter.verifyOverrides`, so the splitter needs
   * `overrideTokens.sign`: synchronous (e.g. `node:crypto` `createHmac`), or WebCrypto's asynchronous
   * `createWebCryptoHmac` in adapters that call `prepare` before `begin` (the Fetch adapter). Default: off.
   */
  overrideTokens?: boolean | OverrideTokenSources
  /** Wall-clock time in epoch milliseconds, for token expiry; adapters default to `Date.now`. */
  clock?: () => number
}

/** One request, split. Nothing here throws. */
export interface RequestSplit {
  /** Assignments by experiment, in config order. */
  readonly assignments: Readonly<Record<string, Assignment>>
  /** The key and attributes the assignments were made with (`ip`, `path` and headers only when the config's rules or `bucketBy` use them). */
  readonly context: Context
  /** Headers for the response: the variant header and, when an id was minted or re-signed, `set-cookie`. */
  readonly responseHeaders: readonly (readonly [name: string, value: string])[]
  /** The session id set in the cookie by this response (minted, or re-signed with the current secret), if any. */
  readonly mintedId: string | undefined
  /** The variant header for calls to an upstream (`[name, value]`), or undefined when disabled. */
  readonly upstreamHeader: readonly [name: string, value: string] | undefined
  /** Runs `fn` (the rest of the request) in the OpenTelemetry context carrying the variants. */
  run<T>(fn: () => T): T
  /** Records the outcome once per experiment (later calls are ignored). Latency comes from `now`. */
  finish(outcome: { status?: number; error?: boolean }): void
  /**
   * Adds to what `finish` will record for one experiment: a proxy served it by control (`fallback`), and
   * its variant's own upstream failed although the answer may not show it (`error`, a retry rescued it).
   */
  note(experiment: string, extra: { readonly fallback?: boolean; readonly error?: boolean }): void
  /**
   * The response's first byte is ready now (a proxy: the upstream's response headers arrived): `finish`
   * records the time since the request began as its time to first byte. Only the first call counts.
   */
  firstByte(): void
  /**
   * Where to proxy the request for `experiment` (among `assignments`, default this request's);
   * `${NAME}` in upstream headers is taken from `env` (none when omitted).
   */
  upstream(
    experiment: string | undefined,
    assignments?: Readonly<Record<string, Assignment>>,
    env?: Readonly<Record<string, string | undefined>>,
  ): UpstreamResult
  /** Reports a problem through the split's guarded `onError`. */
  report(error: SplitlaneError): void
}

/**
 * Where a proxied request goes: the base URL (path prefix included; append the request's path) and
 * the headers to set on it (lower-case names, replacing the client's), or why it cannot go anywhere.
 * `routes` (whenever the experiment is assigned) resolves any variant's target, for the fallback to control.
 */
export type UpstreamResult =
  | {
      ok: true
      url: string
      headers: readonly (readonly [name: string, value: string])[]
      assignment: Assignment
      routes: FallbackRoutes<ProxyTarget>
    }
  | { ok: false; error: SplitlaneError; assignment?: Assignment; routes?: FallbackRoutes<ProxyTarget> }
