// Parts 1 and 2: real HTTP traffic through an Express gateway split 10% / 10% / 80% over three
// helloworld versions; observed shares with the sample-ratio check, stickiness, and one explanation.
import { createSplitter, parseVariantHeader, sketchQuantile } from '@splitlane/core'
import { sampleRatioMismatch } from '@splitlane/core/analysis'
import { createDashboard, type Dashboard } from '@splitlane/dashboard'
import { startGateway, visit, type Version } from './gateway.js'
import { check, count, heading, line, ms, percent, runConcurrently, table } from './report.js'

const USERS = 2000
const RETURNING = 100
const VISITORS = 50
const CONCURRENCY = 8

/** Returns the part's dashboard, which `pnpm demo --keep` goes on serving. */
export async function runSplit(versions: readonly Version[]): Promise<Dashboard> {
  const weights = [10, 10, 80]
  const splitter = createSplitter({
    config: {
      version: 1,
      revision: 'demo-1',
      experiments: {
        helloworld: {
          variants: versions.map((upstream, index) => ({ name: upstream.version, weight: weights[index]!, value: upstream.url })),
          control: 'v3',
        },
      },
    },
  })
  // the gateway records through the dashboard, which keeps per-interval points for its charts
  const dashboard = createDashboard({ splitter, sampleMs: 250 })
  const metrics = dashboard.recorder
  const gateway = await startGateway({ splitter, experiment: 'helloworld', metrics })
  try {
    heading(1, `${count(USERS)} users through an Express gateway split 10% / 10% / 80% over helloworld v1, v2, v3`)
    line(`gateway ${gateway.url} -> ${versions.map((upstream) => `${upstream.version} ${upstream.url}`).join(', ')}`)
    line()
    const variantOf = new Map<string, string>()
    let agreed = 0
    await runConcurrently(USERS, CONCURRENCY, async (index) => {
      const user = `user-${index + 1}`
      const response = await visit(gateway, { 'x-user-id': user })
      const variant = parseVariantHeader(response.variantHeader)['helloworld'] ?? '?'
      variantOf.set(user, variant)
      if (response.status === 200 && response.body === `Hello version: ${variant}`) agreed++
    })
    const stats = metrics.snapshot().experiments['helloworld'] ?? {}
    const names = versions.map((upstream) => upstream.version)
    const requests = names.map((name) => stats[name]?.requests ?? 0)
    const srm = sampleRatioMismatch(requests, weights)
    table(
      ['variant', ' configured', ' observed', ' requests', ' p50 ms', ' p99 ms'],
      names.map((name, index) => [
        name,
        percent(weights[index]!, 100, 0),
        percent(requests[index]!, USERS, 2),
        count(requests[index]!),
        ms(sketchQuantile(stats[name]!.latencyMs, 0.5)),
        ms(sketchQuantile(stats[name]!.latencyMs, 0.99)),
      ]),
    )
    line()
    line(`sample-ratio check: chi-square ${srm.chiSquare.toFixed(3)}, p = ${srm.pValue.toFixed(4)}`)
    check(!srm.mismatch, `no sample ratio mismatch (p = ${srm.pValue.toFixed(4)} >= 0.001)`)
    check(agreed === USERS, `every answer came from the version the gateway's splitlane-variant header named (${agreed}/${USERS})`)

    let kept = 0
    await runConcurrently(RETURNING, CONCURRENCY, async (index) => {
      const user = `user-${index + 1}`
      const again = await visit(gateway, { 'x-user-id': user })
      if (parseVariantHeader(again.variantHeader)['helloworld'] === variantOf.get(user)) kept++
    })
    check(kept === RETURNING, `${kept}/${RETURNING} returning users (x-user-id) got the same version again`)
    let keptByCookie = 0
    await runConcurrently(VISITORS, CONCURRENCY, async () => {
      const first = await visit(gateway)
      const again = await visit(gateway, first.cookie === undefined ? {} : { cookie: first.cookie })
      if (first.cookie !== undefined && again.body === first.body && again.variantHeader === first.variantHeader) keptByCookie++
    })
    check(
      keptByCookie === VISITORS,
      `${keptByCookie}/${VISITORS} anonymous visitors came back with their splitlane_id cookie and got the same version`,
    )

    heading(2, 'Why did user-42 get its version?')
    const assignment = splitter.assign('helloworld', { key: 'user-42' })
    line(`splitter:  ${splitter.explain(assignment)}`)
    const response = await visit(gateway, { 'x-user-id': 'user-42' })
    line(`gateway:   splitlane-variant: ${response.variantHeader}  ->  ${JSON.stringify(response.body)}`)
    check(
      response.variantHeader === `helloworld=${assignment.variant}` && response.body === `Hello version: ${assignment.variant}`,
      `the gateway served user-42 the variant the explanation gives (${assignment.variant})`,
    )
  } finally {
    await gateway.close()
  }
  return dashboard
}
