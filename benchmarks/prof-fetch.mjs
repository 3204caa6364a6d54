import { withSplitlane } from '@splitlane/fetch'
import { createSplitter, createMetricsRecorder } from '@splitlane/core'
import { createHmac } from 'node:crypto'
const CONFIG = { version: 1, experiments: { helloworld: { variants: [ { name: 'v1', weight: 10 }, { name: 'v2', weight: 10 }, { name: 'v3', weight: 80 } ] } } }
const sign = (value, secret) => `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`
const stickyValue = encodeURIComponent(sign('3f2c9a7e-4b1d-4c1e-9f00-0123456789ab', 'bench-cookie-secret'))
const RETURNING = { cookie: `_ga=GA1.1.1234567890.1763800000; _gid=GA1.2.987654321.1763800000; consent=%7B%22ads%22%3Afalse%7D; theme=dark; splitlane_id=${stickyValue}; lang=en`, 'x-user-id': 'user-42' }
const visitor = process.argv[2] === 'first' ? {} : RETURNING
const hello = () => new Response('Hello world')
const wrapped = withSplitlane(hello, { splitter: createSplitter({ config: CONFIG }), metrics: createMetricsRecorder(), userIdHeader: 'x-user-id', cookie: { secret: 'bench-cookie-secret' } })
const floor = async (request) => { const r = await hello(request); r.headers.set('splitlane-variant', 'helloworld=v3'); return r }
async function loop(h, n) { for (let i = 0; i < n; i++) { const res = await h(new Request('http://localhost/', { headers: visitor })); await res.arrayBuffer() } }
const mode = process.argv[3] ?? 'both'; const only = process.argv[3]
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const as = [], bs = []
for (let r = 0; r < 300; r++) {
  let t = cpu(); if (only !== 'floor') await loop(wrapped, 200); const a = cpu() - t
  t = cpu(); if (only !== 'split') await loop(floor, 200); const b = cpu() - t
  as.push(a * 5); bs.push(b * 5)
}
const q = (x, f) => [...x].sort((p, q) => p - q)[Math.floor(x.length * f)]
console.log('p10 split', q(as, 0.1).toFixed(2), 'floor', q(bs, 0.1).toFixed(2), 'diff', (q(as, 0.1) - q(bs, 0.1)).toFixed(2), '| p25 diff', (q(as, 0.25) - q(bs, 0.25)).toFixed(2))
