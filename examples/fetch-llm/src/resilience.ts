// Shadow traffic and fallback: a mirror that never answers costs the caller nothing; a failing
// canary is retried on control and then skipped by its circuit breaker until a probe succeeds.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createSplitFetch, routeOf } from '@splitlane/fetch'

/** A local upstream answering `status` with `body`; `hang` never answers. */
async function upstream(answer: { status: number; body: string } | 'hang') {
  const server = createServer((_request, response) => {
    if (answer === 'hang') return
    response.writeHead(answer.status, { 'content-type': 'text/plain' })
    response.end(answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close }
}

const stable = await upstream({ status: 200, body: 'stable says hi' })
const canary = await upstream({ status: 503, body: 'canary is down' })
const mirror = await upstream('hang')

const splitter = createSplitter({
  config: {
    version: 1,
    experiments: {
      backend: {
        control: 'stable',
        variants: [
          { name: 'stable', weight: 50, value: stable.url },
          { name: 'canary', weight: 50, value: canary.url },
        ],
      },
    },
  },
})
const metrics = createMetricsRecorder()
let now = 0
const backendFetch = createSplitFetch({
  splitter,
  experiment: 'backend',
  key: (call) => call.headers.get('x-user-id'),
  metrics,
  shadow: { upstream: mirror.url, percent: 100, timeoutMs: 3000, maxConcurrent: 4 },
  fallback: { retryableStatuses: [503], breaker: { failureThreshold: 3, coolDownMs: 30_000 } },
  now: () => now,
})

const canaryUsers = Array.from({ length: 40 }, (_, i) => `user-${i}`).filter((user) => splitter.variantOf('backend', user) === 'canary')
for (const user of canaryUsers.slice(0, 5)) {
  const started = performance.now()
  const response = await backendFetch('http://backend.internal/hello', { headers: { 'x-user-id': user } })
  const route = routeOf(response)!
  console.log(
    `${user}: ${await response.text()} (${route.fallback?.reason ?? 'no fallback'}, ${(performance.now() - started).toFixed(1)} ms)`,
  )
}
now += 30_000
const probe = await backendFetch('http://backend.internal/hello', { headers: { 'x-user-id': canaryUsers[0]! } })
console.log(`after the cool-down a probe goes to the canary again: ${routeOf(probe)!.fallback?.reason ?? 'no fallback'}`)
console.log(routeOf(probe)!.explain())

while (backendFetch.shadowStats().timedOut < backendFetch.shadowStats().sent) await new Promise((resolve) => setTimeout(resolve, 50))
const stats = metrics.snapshot().experiments['backend']!['canary']!
console.log(`canary: ${stats.requests} requests, ${stats.errors} errors, ${stats.fallbacks} served by control`)
const shadow = backendFetch.shadowStats()
console.log(
  `shadow: ${shadow.sent} mirrored, ${shadow.dropped} dropped at the bound, ${shadow.timedOut} timed out; the callers never waited`,
)
await Promise.all([stable.close(), canary.close(), mirror.close()])
