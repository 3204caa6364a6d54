// The slowest request under hostile headers, over real HTTP: an Express app (built packages) with a `gte` rule
// on a header-sourced attribute, override tokens on, and a user-id header. Each case sends ROUNDS requests,
// interleaved round by round with the others, one at a time over a keep-alive connection.
// Run: pnpm --filter @splitlane/benchmarks bench:hostile-header
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { createExpressMiddleware } from '@splitlane/express'
import express from 'express'
import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'

const ROUNDS = Number(process.env.ROUNDS ?? 200)
const config: SplitlaneConfig = {
  version: 1,
  experiments: {
    checkout: {
      variants: [{ name: 'control' }, { name: 'canary' }],
      rules: [{ id: 'many', when: { attribute: 'x-n', op: 'gte', values: [5] }, variant: 'canary' }],
    },
  },
}
const splitter = createSplitter({ config, overrideTokens: { sign: (message) => createHmac('sha256', 'bench').update(message).digest() } })
const app = express()
app.use(createExpressMiddleware({ splitter, headers: ['x-n'], userIdHeader: 'x-user-id', overrideTokens: true, cookie: false }))
app.get('/', (_req, res) => void res.send('ok'))

// Each stays under Node's default 16 KB header limit, as a visitor's request must to reach the app at all.
const cases: Record<string, Record<string, string>> = {
  normal: { 'x-n': '7', 'x-user-id': 'user-42' },
  "gte on '1'.repeat(8190) + ' x'": { 'x-n': `${'1'.repeat(8190)} x`, 'x-user-id': 'user-42' },
  '7,500 override tokens': { 'splitlane-override': Array(7500).fill('t').join(','), 'x-user-id': 'user-42' },
  '8 KB user id': { 'x-user-id': 'u'.repeat(8192) },
  'all three': { 'x-n': `${'1'.repeat(4000)} x`, 'splitlane-override': Array(3000).fill('t').join(','), 'x-user-id': 'u'.repeat(4000) },
}

const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
const times = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]))
const variants = new Map<string, Set<string>>(Object.keys(cases).map((name) => [name, new Set()]))
for (let round = -10; round < ROUNDS; round++) {
  for (const [name, headers] of Object.entries(cases)) {
    const started = performance.now()
    const response = await fetch(url, { headers })
    await response.text()
    const elapsed = performance.now() - started
    if (response.status !== 200) throw new Error(`${name}: status ${response.status}`)
    if (round < 0) continue // warm-up
    times.get(name)!.push(elapsed)
    variants.get(name)!.add(response.headers.get('splitlane-variant') ?? '')
  }
}
server.close()

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
console.log(`${ROUNDS} requests per case, Node ${process.version}, milliseconds per request (client side, keep-alive)`)
console.log(['case', 'median', 'p99', 'slowest', 'variant header'].join(' | '))
for (const [name, list] of times) {
  const sorted = [...list].sort((a, b) => a - b)
  const row = [at(sorted, 0.5), at(sorted, 0.99), sorted[sorted.length - 1]!].map((ms) => ms.toFixed(2))
  console.log([name, ...row, [...variants.get(name)!].join(' ')].join(' | '))
}
