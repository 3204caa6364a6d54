// pnpm demo: everything against real servers on 127.0.0.1 (port 0), nothing but this repository.
// Each part prints what it did and checks it; any failed check makes the demo exit 1.
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
try {
  await runSplit([v1!, v2!, v3!])
  await runLlmSplit(upstreams.openai)
  await runShadow(v1!, v2!, upstreams.hanging)
  await runCanary(v1!, v2!.url, upstreams.faultyV2)
} finally {
  closeClient()
  await upstreams.close()
}
summary((performance.now() - started) / 1000)
