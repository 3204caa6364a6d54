import { withSplitlane } from '@splitlane/fetch'
import { createSplitter, createMetricsRecorder } from '@splitlane/core'
const CONFIG = { version: 1, experiments: { helloworld: { variants: [ { name: 'v1', weight: 10 }, { name: 'v2', weight: 10 }, { name: 'v3', weight: 80 } ] } } }
const hello = () => new Response('Hello world')
const wrapped = withSplitlane(hello, { splitter: createSplitter({ config: CONFIG }), metrics: createMetricsRecorder(), userIdHeader: 'x-user-id', cookie: { secret: 'bench-cookie-secret' } })
for (let r = 0; r < 6; r++) {
  for (let i = 0; i < 20000; i++) { const res = await wrapped(new Request('http://localhost/', { headers: { 'x-user-id': 'user-' + (i % 100) } })); await res.arrayBuffer() }
  await new Promise(r => setTimeout(r, 10)); gc(); gc()
  console.log(r, (process.memoryUsage().heapUsed / 1e6).toFixed(1), 'MB')
}
