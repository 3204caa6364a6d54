// pnpm demo: everything against real servers on 127.0.0.1 (port 0), nothing but this repository.
// Each part prints what it did and checks it; any failed check makes the demo exit 1.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Dashboard } from '@splitlane/dashboard'
import { toNodeHandler } from '@splitlane/dashboard/node'
import { runCanary } from './canary.js'
import { closeClient } from './gateway.js'
import { runLlmSplit } from './llm.js'
import { summary } from './report.js'
import { runShadow } from './shadow.js'
import { runSplit } from './split.js'
import { startUpstreams } from './upstreams.js'

const started = performance.now()
const upstreams = await startUpstreams()
const [v1, v2, v3] = (['v1', 'v2', 'v3'] as const).map((version) => ({ version, url: upstreams[version] }))
let dashboard: Dashboard | undefined
try {
  dashboard = await runSplit([v1!, v2!, v3!])
  await runLlmSplit(upstreams.openai)
  await runShadow(v1!, v2!, upstreams.hanging)
  await runCanary(v1!, v2!.url, upstreams.faultyV2)
} finally {
  closeClient()
  await upstreams.close()
}
summary((performance.now() - started) / 1000)
if (process.argv.includes('--keep') && dashboard !== undefined) {
  // part 1's splitter and metrics, in the dashboard, until Ctrl-C
  const { basePath } = dashboard
  const handler = toNodeHandler(dashboard)
  const server = createServer((req, res) => void handler(req, res, () => res.writeHead(302, { location: basePath }).end()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  console.log(`\nDashboard of part 1: http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath} (Ctrl-C stops)`)
} else console.log('\n`pnpm demo --keep` goes on serving part 1 in the dashboard.')
