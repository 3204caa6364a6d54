import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createSplitter } from '@splitlane/core'
import express from 'express'
import { afterAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import { byVariant, splitlane, proxyByVariant } from '../src/index.js'
import type { SplitlaneError } from '@splitlane/core'

const splitter = createSplitter({
  config: {
    version: 1,
    experiments: { checkout: { variants: [{ name: 'a' }, { name: 'b' }] }, search: { variants: [{ name: 'x' }, { name: 'y' }] } },
  },
})
const closers: (() => void)[] = []
afterAll(() => closers.forEach((close) => close()))

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => server.close())
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('splitlane', () => {
  it('assigns only the named experiments of a route, and exposes them in res.locals too', async () => {
    const app = express()
    app.get('/search', splitlane({ splitter, experiments: ['search'], cookie: false, getKey: () => 'k' }), (req, res) => {
      res.json({ fromReq: Object.keys(req.splitlane!), same: res.locals.splitlane === req.splitlane })
    })
    const url = await listen(app)
    const response = await fetch(`${url}/search`)
    expect(await response.json()).toEqual({ fromReq: ['search'], same: true })
    expect(response.headers.get('splitlane-variant')).toBe(`search=${splitter.variantOf('search', 'k')}`)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('merges the assignments of two middlewares and marks the cookie Secure behind an HTTPS proxy', async () => {
    const app = express()
    app.set('trust proxy', 'loopback')
    app.use(splitlane({ splitter, experiments: ['checkout'] }))
    app.use(splitlane({ splitter, experiments: ['search'] }))
    app.get(
      '/',
      (req, res) =>
        void res.json({
          experiments: Object.keys(req.splitlane!),
          sameKey: req.splitlane!['checkout']!.key === req.splitlane!['search']!.key,
        }),
    )
    const url = await listen(app)
    const response = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } })
    expect(await response.json()).toEqual({ experiments: ['checkout', 'search'], sameKey: true })
    // the first middleware mints the id, the second reuses it: one cookie
    const cookies = response.headers.getSetCookie()
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).toMatch(/; HttpOnly; Secure; SameSite=Lax$/)
  })

  it('keeps upstream connections alive: one socket for sequential proxied requests, even when the client says close', async () => {
    const seen: { port: number; connection: string | undefined }[] = []
    const upstream = createServer((req, res) => {
      seen.push({ port: req.socket.remotePort!, connection: req.headers.connection })
      res.end('ok')
    })
    upstream.listen(0, '127.0.0.1')
    await once(upstream, 'listening')
    closers.push(() => upstream.close())
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    const single = createSplitter({ config: { version: 1, experiments: { backend: { variants: [{ name: 'only', value: target }] } } } })
    const app = express()
    app.use(splitlane({ splitter: single, cookie: false, getKey: () => 'k' }), proxyByVariant({ experiment: 'backend' }))
    const url = await listen(app)
    for (let i = 0; i < 5; i++) {
      const response = await fetch(url, { headers: i % 2 === 0 ? {} : { connection: 'close' } })
      expect(await response.text()).toBe('ok')
    }
    expect(seen).toHaveLength(5)
    expect(new Set(seen.map((request) => request.port)).size).toBe(1)
    expect(seen.map((request) => request.connection)).not.toContain('close')
  })
})

describe('byVariant', () => {
  const stableCanary = () =>
    createSplitter({ config: { version: 1, experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] } } } })
  const keyOf = (split: ReturnType<typeof createSplitter>, variant: string) => {
    for (let i = 0; ; i++) if (split.variantOf('checkout', `user-${i}`) === variant) return `user-${i}`
  }
  const send =
    (text: string): express.RequestHandler =>
    (_req, res) =>
      void res.send(text)

  it('without experiment while the config has several: OPTIONS_INVALID when the route is built, naming them', () => {
    expect(() => byVariant({ b: send('b') }, { splitter })).toThrow(/byVariant: the config has several experiments \(checkout, search\)/)
  })

  it('a key naming no variant (and not the control role): OPTIONS_INVALID naming the key and the variants', () => {
    // @ts-expect-error a config written in code makes the misspelling a compile error; this is the run-time guard
    expect(() => byVariant({ stabel: send('s') }, { splitter: stableCanary(), experiment: 'checkout' })).toThrow(
      expect.objectContaining({
        code: 'SPLITLANE_ERR_OPTIONS_INVALID',
        message: expect.stringMatching(/"stabel" names no variant of "checkout" \(variants: stable, canary/),
      }),
    )
  })

  it('`control` is the control variant whatever its name: stable users get it, not a 404', async () => {
    const split = stableCanary()
    const app = express()
    app.use(splitlane({ splitter: split, cookie: false, userIdHeader: 'x-user-id' }))
    app.get('/checkout', byVariant({ control: send('old'), canary: send('new') }, { splitter: split }))
    const url = await listen(app)
    const answer = async (variant: string) => {
      const response = await fetch(`${url}/checkout`, { headers: { 'x-user-id': keyOf(split, variant) } })
      return `${response.status} ${response.headers.get('splitlane-variant')} ${await response.text()}`
    }
    expect(await answer('stable')).toBe('200 checkout=stable old')
    expect(await answer('canary')).toBe('200 checkout=canary new')
  })

  it('a second experiment added live: 500 and onError per request, never the old handler under a canary label', async () => {
    const errors: SplitlaneError[] = []
    const split = stableCanary()
    const app = express()
    app.use(splitlane({ splitter: split, cookie: false, getKey: () => 'k', onError: (error) => errors.push(error) }))
    app.get('/', byVariant({ control: send('old'), canary: send('new') }, { splitter: split }), send('fallthrough'))
    app.use(((error, _req, res, _next) => void res.status(500).send((error as Error).message)) as express.ErrorRequestHandler)
    const url = await listen(app)
    expect((await fetch(url)).status).toBe(200)
    const added = split.update({
      version: 1,
      experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] }, search: { variants: [{ name: 'x' }] } },
    })
    expect(added.ok).toBe(true)
    const response = await fetch(url)
    expect(response.status).toBe(500)
    expect(await response.text()).toMatch(/several experiments \(checkout, search\)/)
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_OPTIONS_INVALID'])
  })

  it('a live update removes the variant a handler names: reported once, its users served by control', async () => {
    const errors: SplitlaneError[] = []
    const split = stableCanary()
    const app = express()
    app.use(splitlane({ splitter: split, cookie: false, userIdHeader: 'x-user-id', onError: (error) => errors.push(error) }))
    app.get('/', byVariant({ control: send('old'), canary: send('new') }, { splitter: split, experiment: 'checkout' }))
    const url = await listen(app)
    const canaryUser = keyOf(split, 'canary')
    expect(split.update({ version: 1, experiments: { checkout: { variants: [{ name: 'stable' }] } } }).ok).toBe(true)
    for (let i = 0; i < 3; i++) expect(await (await fetch(url, { headers: { 'x-user-id': canaryUser } })).text()).toBe('old')
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/"canary" names no variant of "checkout" \(variants: stable;/),
    ])
  })
})

describe('mounted twice', () => {
  it('app level and router level: one variant header and one count, not "checkout=a, checkout=a" counted twice', async () => {
    const counted: string[] = []
    const middleware = splitlane({
      splitter,
      experiments: ['checkout'],
      cookie: false,
      getKey: () => 'k',
      metrics: { record: ({ variant }) => void counted.push(variant!) },
    })
    const app = express()
    const router = express.Router()
    app.use(middleware)
    router.use(middleware)
    router.get('/', (_req, res) => void res.send('ok'))
    app.use(router)
    const response = await fetch(`${await listen(app)}/`)
    await response.text()
    expect(response.headers.get('splitlane-variant')).toMatch(/^checkout=[ab]$/)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(counted).toHaveLength(1)
  })
})
