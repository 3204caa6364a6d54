// Typed names for a config loaded at run time: `pnpm types` wrote src/splitlane.d.ts from config.yaml (with
// `splitlane types`), so `splitter.assign`, `req.splitlane` and `byVariant` know the experiment and variant
// names; a misspelt one is a compile error (see types.test-d.ts). Run: pnpm --filter @splitlane/example-typed-names start
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { byVariant, splitlane } from '@splitlane/express'
import express from 'express'
import { parse } from 'yaml'

const config = parse(readFileSync(new URL('../config.yaml', import.meta.url), 'utf8')) as SplitlaneConfig
const splitter = createSplitter({ config })

// `variant` is 'stable' | 'canary' | null here, not string: comparing it with 'canry' would not compile.
const { variant } = splitter.assign('checkout', { key: 'user-42' })
console.log(`user-42 on checkout: ${variant}`)

const app = express()
app.use(splitlane({ splitter, userIdHeader: 'x-user-id', cookie: false }))
app.get(
  '/checkout',
  byVariant(
    {
      control: (_req, res) => void res.send('the checkout you know'),
      canary: (_req, res) => void res.send('the new checkout'),
    },
    { splitter, experiment: 'checkout' },
  ),
)
app.get('/search', (req, res) => {
  const search = req.splitlane?.search // typed: Assignment<'search', 'bm25' | 'vector'> | undefined
  res.send(search?.variant === 'vector' ? 'vector search' : 'keyword search')
})

const server = app.listen(0, '127.0.0.1', () => void visit(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))

async function visit(base: string) {
  for (const user of ['user-1', 'user-2', 'user-3']) {
    const checkout = await fetch(`${base}/checkout`, { headers: { 'x-user-id': user } })
    const search = await fetch(`${base}/search`, { headers: { 'x-user-id': user } })
    console.log(`${user}: ${await checkout.text()} (${checkout.headers.get('splitlane-variant')}); ${await search.text()}`)
  }
  server.close()
}
