// Part 4: mirror every call to a shadow version (a healthy one, then one that never answers) and
// measure what the caller waits for, against the same calls with no shadow.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createSplitFetch, type ShadowOptions, type SplitFetch } from '@splitlane/fetch'
import type { Version } from './gateway.js'
import { check, count, heading, line, ms, table } from './report.js'

const ROUNDS = 2
const CALLS_PER_ROUND = 50
const WARM_UP = 10
const TIMEOUT_MS = 1000
const MAX_CONCURRENT = 8

const quantile = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!

export async function runShadow(primary: Version, mirror: Version, hangingUrl: string): Promise<void> {
  heading(4, `Shadow traffic: every call mirrored to another version, the caller never waits for it`)
  const splitter = createSplitter({
    config: { version: 1, experiments: { backend: { variants: [{ name: 'stable', value: primary.url }] } } },
  })
  const metrics = createMetricsRecorder()
  const shadowOf = (upstream: string): ShadowOptions => ({
    upstream,
    timeoutMs: TIMEOUT_MS,
    maxConcurrent: MAX_CONCURRENT,
    compare: (primaryResponse, shadowResponse) => primaryResponse.status === shadowResponse.status,
  })
  const setups: { name: string; fetch: SplitFetch; latencies: number[] }[] = [
    { name: 'no shadow', shadow: undefined },
    { name: `shadow to ${mirror.version} (healthy)`, shadow: shadowOf(mirror.url) },
    { name: 'shadow that hangs', shadow: shadowOf(hangingUrl) },
  ].map(({ name, shadow }) => ({
    name,
    fetch: createSplitFetch({ splitter, experiment: 'backend', key: (call) => call.headers.get('x-user-id'), metrics, shadow }),
    latencies: [],
  }))
  line(`primary ${primary.version} ${primary.url}; shadows: ${mirror.version} ${mirror.url}, hanging ${hangingUrl}`)
  line(`each copy is abandoned after ${TIMEOUT_MS} ms; at most ${MAX_CONCURRENT} copies in flight, the rest are dropped`)
  line(
    `each setup makes ${WARM_UP} warm-up calls (not timed) and ${ROUNDS * CALLS_PER_ROUND} timed ones; a shadow copies all ${WARM_UP + ROUNDS * CALLS_PER_ROUND}`,
  )
  line()

  let answered = 0
  const call = async (setup: (typeof setups)[number], user: number, measure: boolean) => {
    const started = performance.now()
    const response = await setup.fetch(`http://backend/hello`, { headers: { 'x-user-id': `user-${user}` } })
    const body = await response.text()
    if (!measure) return
    setup.latencies.push(performance.now() - started)
    if (response.status === 200 && body === `Hello version: ${primary.version}`) answered++
  }
  for (const setup of setups) for (let user = 0; user < WARM_UP; user++) await call(setup, user, false) // warm up
  // Calls alternate between the three setups one by one, so the machine's noise falls on each alike.
  for (let round = 0; round < ROUNDS; round++)
    for (let user = 0; user < CALLS_PER_ROUND; user++) for (const setup of setups) await call(setup, user, true)

  // Let every copy finish or time out: each one's outcome is then recorded (as shadow) by the recorder.
  const stable = () => metrics.snapshot().experiments['backend']!['stable']!
  const sent = () => setups.reduce((sum, setup) => sum + setup.fetch.shadowStats().sent, 0)
  const deadline = performance.now() + TIMEOUT_MS + 2000
  while (stable().shadow.requests < sent() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))

  const calls = ROUNDS * CALLS_PER_ROUND
  table(
    ['setup', ' timed calls', ' p50 ms', ' p99 ms', ' max ms', ' copies sent', ' dropped', ' timed out', ' mismatches'],
    setups.map((setup) => {
      const stats = setup.fetch.shadowStats()
      const shadowed = setup.name !== 'no shadow'
      return [
        setup.name,
        count(setup.latencies.length),
        ms(quantile(setup.latencies, 0.5)),
        ms(quantile(setup.latencies, 0.99)),
        ms(Math.max(...setup.latencies)),
        shadowed ? count(stats.sent) : '-',
        shadowed ? count(stats.dropped) : '-',
        shadowed ? count(stats.timedOut) : '-',
        shadowed ? count(stats.mismatches) : '-',
      ]
    }),
  )
  line()
  const [bare, healthy, hung] = setups as [(typeof setups)[number], (typeof setups)[number], (typeof setups)[number]]
  const hungStats = hung.fetch.shadowStats()
  const healthyStats = healthy.fetch.shadowStats()
  line(`the healthy mirror's answers are read and compared in this process: that work is what the primary pays there`)
  line(
    `the recorder counted the ${count(stable().shadow.requests)} copies sent (${healthyStats.sent} + ${hungStats.sent}) apart from the ${count(stable().requests)} primary calls (3 setups x ${WARM_UP + calls}, warm-up included)`,
  )
  check(
    answered === 3 * calls,
    `every timed primary call was answered by ${primary.version} (${answered}/${3 * calls}: 3 setups x ${calls})`,
  )
  check(
    Math.max(...hung.latencies) < TIMEOUT_MS,
    `no primary call waited for the hanging shadow (slowest ${ms(Math.max(...hung.latencies))} ms, a copy hangs ${TIMEOUT_MS} ms)`,
  )
  check(
    quantile(hung.latencies, 0.5) < 2 * quantile(bare.latencies, 0.5) + 2,
    'the primary p50 with the hanging shadow is within 2x (+2 ms) of the p50 without a shadow',
  )
  check(
    hungStats.sent > 0 && hungStats.dropped > 0 && hungStats.timedOut === hungStats.sent,
    `the hanging shadow was bounded: ${hungStats.sent} copies sent and timed out, ${hungStats.dropped} dropped at the bound`,
  )
  check(
    healthyStats.sent === calls + WARM_UP - healthyStats.dropped && healthyStats.mismatches === 0,
    `the healthy shadow got ${healthyStats.sent} copies (${calls} timed + ${WARM_UP} warm-up calls) and answered each with the primary's status`,
  )
}
