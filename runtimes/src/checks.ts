// The checks every runtime runs (Node, Bun, Deno, workerd, Chromium), against the built packages through their
// public entries, as a user's app imports them. Everything they return is plain JSON, compared with Node's.
import {
  createMetricsRecorder,
  createSplitter,
  createWebCryptoHmac,
  mintOverrideToken,
  type SplitlaneConfig as Config,
  type SplitlaneError,
} from '@splitlane/core'
import { analyzeCanary } from '@splitlane/core/analysis'
import { createSplitFetch, routeOf, withSplitlane } from '@splitlane/fetch'
import { createUrlConfigSource } from '@splitlane/sources'
import { COOKIE_SECRET, checkoutConfig } from './config.js'

export interface CheckOptions {
  /** Base URL of the test's upstream (served by Node): /config, /llm/a, /llm/b, /shadow. */
  upstream: string
  /** Where `${NAME}` is read; default the adapter's own (process.env where there is one). */
  env?: Readonly<Record<string, string | undefined>>
}

export const KEYS = 10_000
export const TOKEN_SECRET = 'runtimes-qa-secret'

const config = checkoutConfig

/** The LLM split: two models behind the test's upstream, the key read from `${UPSTREAM_KEY}`. */
const llmConfig = (upstream: string): Config => ({
  version: 1,
  experiments: {
    model: {
      variants: [
        { name: 'small', weight: 50, value: { url: `${upstream}/llm/a`, model: 'gpt-4o-mini' } },
        {
          name: 'large',
          weight: 50,
          value: { url: `${upstream}/llm/b`, model: 'gpt-4o', headers: { authorization: 'Bearer ${UPSTREAM_KEY}' } },
        },
      ],
    },
  },
})

/** FNV-1a over the variant names of KEYS keys: equal checksums mean equal assignments. */
function checksum(variants: Iterable<string | null>): string {
  let hash = 0x811c9dc5
  for (const variant of variants) for (const char of `${variant};`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0
  return hash.toString(16)
}

function core() {
  const splitter = createSplitter({ config })
  const variants = Array.from({ length: KEYS }, (_, i) => splitter.variantOf('checkout', `user-${i}`))
  const counts: Record<string, number> = {}
  for (const variant of variants) counts[String(variant)] = (counts[String(variant)] ?? 0) + 1
  const targeted = splitter.assign('checkout', { key: 'user-42', attributes: { country: 'NZ' } })
  const assignment = splitter.assign('checkout', { key: 'user-42' })
  return {
    checksum: checksum(variants),
    counts,
    user42: assignment.variant,
    explain: splitter.explain(assignment),
    targeted: targeted.variant,
  }
}

/** Metrics and the canary judge: the same outcomes give the same verdict and explanation everywhere. */
function judge() {
  const splitter = createSplitter({ config })
  const recorder = createMetricsRecorder()
  for (let i = 0; i < 3_000; i++) {
    const assignment = splitter.assign('checkout', { key: `user-${i}` })
    const canary = assignment.variant === 'canary'
    recorder.record(assignment, { status: canary && i % 8 === 0 ? 500 : 200, latencyMs: 20 + (i % 17) + (canary ? 4 : 0) })
  }
  const result = analyzeCanary(recorder.take(0), { experiment: 'checkout', canary: 'canary', baseline: 'stable' })
  return { verdict: result.verdict, explanation: result.explanation }
}

/** withSplitlane: variant header, sticky cookie, metrics, and an override token signed with WebCrypto. */
async function server() {
  const sign = createWebCryptoHmac({ secret: TOKEN_SECRET, subtle: crypto.subtle })
  const splitter = createSplitter({ config, overrideTokens: { sign } })
  const metrics = createMetricsRecorder()
  const handler = withSplitlane(() => new Response('ok'), {
    splitter,
    metrics,
    userIdHeader: 'x-user-id',
    overrideTokens: true,
    cookie: { secret: COOKIE_SECRET },
  })
  const known = await handler(new Request('http://app.test/', { headers: { 'x-user-id': 'user-42' } }))
  const anonymous = await handler(new Request('http://app.test/'))
  const token = await mintOverrideToken({ experiment: 'checkout', variant: 'beta', expiresAt: Date.now() + 60_000, sign })
  const overridden = await handler(new Request('http://app.test/', { headers: { 'x-user-id': 'user-42', 'splitlane-override': token } }))
  const forged = await handler(
    new Request('http://app.test/', { headers: { 'x-user-id': 'user-42', 'splitlane-override': `${token.slice(0, -2)}AA` } }),
  )
  const stats = metrics.snapshot().experiments.checkout ?? {}
  return {
    known: known.headers.get('splitlane-variant'),
    anonymousCookie: /^splitlane_id=/.test(anonymous.headers.get('set-cookie') ?? ''),
    overridden: overridden.headers.get('splitlane-variant'),
    forged: forged.headers.get('splitlane-variant'),
    requests: Object.values(stats).reduce((sum, variant) => sum + variant.requests, 0),
  }
}

/** createSplitFetch: an LLM split with `${UPSTREAM_KEY}` filled from env, and a shadow that settles. */
async function splitFetch(options: CheckOptions) {
  const errors: string[] = []
  const splitter = createSplitter({ config: llmConfig(options.upstream) })
  const metrics = createMetricsRecorder()
  const llm = createSplitFetch({
    splitter,
    experiment: 'model',
    key: (call) => call.headers.get('x-user-id'),
    metrics,
    shadow: { upstream: `${options.upstream}/shadow`, methods: ['POST'] },
    onError: (error: SplitlaneError) => errors.push(error.code),
    ...(options.env === undefined ? {} : { env: options.env }),
  })
  const call = (user: string) =>
    llm(`${options.upstream}/llm/a/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-user-id': user, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'hi' }] }),
    })
  // user-3 gets the small model, user-1 the large one (checked on Node): one call to each
  const calls = []
  for (const user of ['user-3', 'user-1']) {
    const response = await call(user)
    const body = (await response.json()) as { model: string; auth: string | null; path: string }
    calls.push({ user, status: response.status, variant: routeOf(response)?.servedBy ?? null, ...body })
  }
  const deadline = Date.now() + 5_000
  while (Date.now() < deadline) {
    const stats = llm.shadowStats()
    if (stats.sent + stats.failed + stats.timedOut + stats.dropped >= calls.length) break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { calls, shadow: llm.shadowStats(), errors: [...new Set(errors)] }
}

/** The URL config source, the Workers way (poll: false + revalidate, no timers between requests). */
async function urlSource(options: CheckOptions) {
  const splitter = createSplitter({ config })
  const source = createUrlConfigSource({ url: `${options.upstream}/config`, splitter, poll: false })
  const status = await source.revalidate()
  const result = { revision: status.revision, user42: splitter.variantOf('checkout', 'user-42') }
  source.close()
  return result
}

export async function runChecks(options: CheckOptions) {
  return {
    core: core(),
    judge: judge(),
    server: await server(),
    splitFetch: await splitFetch(options),
    urlSource: await urlSource(options),
  }
}

export type CheckResults = Awaited<ReturnType<typeof runChecks>>
