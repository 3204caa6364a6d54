// Route `variants` checked when the route is built, the `control` role, and the plugin registered twice.
import { createSplitter, type SplitlaneError } from '@splitlane/core'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { splitlane } from '../src/index.js'

const stableCanary = () =>
  createSplitter({ config: { version: 1, experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] } } } })
const keyOf = (splitter: ReturnType<typeof createSplitter>, variant: string) => {
  for (let i = 0; ; i++) if (splitter.variantOf('checkout', `user-${i}`) === variant) return `user-${i}`
}
const apps: FastifyInstance[] = []
afterAll(() => Promise.all(apps.map((app) => app.close())))
const newApp = () => {
  const app = Fastify()
  apps.push(app)
  return app
}

describe('route variants', () => {
  it('without experiment while the config has several: OPTIONS_INVALID when the route is added, naming them', async () => {
    const splitter = createSplitter({
      config: { version: 1, experiments: { checkout: { variants: [{ name: 'a' }] }, search: { variants: [{ name: 'x' }] } } },
    })
    const app = newApp()
    await app.register(splitlane, { splitter, cookie: false })
    expect(() => app.get('/', { config: { splitlane: { variants: { a: (_request, reply) => reply.send('a') } } } }, () => 'old')).toThrow(
      /route \/ variants: the config has several experiments \(checkout, search\)/,
    )
  })

  it('a key naming no variant: OPTIONS_INVALID naming the key and the variants', async () => {
    const app = newApp()
    await app.register(splitlane, { splitter: stableCanary(), cookie: false })
    expect(() => app.get('/', { config: { splitlane: { variants: { v2: (_request, reply) => reply.send('v2') } } } }, () => 'old')).toThrow(
      /"v2" names no variant of "checkout" \(variants: stable, canary/,
    )
  })

  it('`control` is the control variant whatever its name', async () => {
    const splitter = stableCanary()
    const app = newApp()
    await app.register(splitlane, { splitter, cookie: false, userIdHeader: 'x-user-id' })
    const variants = { control: () => 'old', canary: () => 'new' }
    app.get('/', { config: { splitlane: { variants } } }, () => 'route handler')
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    for (const [variant, body] of [
      ['stable', 'old'],
      ['canary', 'new'],
    ] as const) {
      const response = await fetch(url, { headers: { 'x-user-id': keyOf(splitter, variant) } })
      expect(`${response.headers.get('splitlane-variant')} ${await response.text()}`).toBe(`checkout=${variant} ${body}`)
    }
  })
})

describe('registered twice', () => {
  it('app level and in an encapsulated plugin: one variant header value, the request counted once', async () => {
    const splitter = stableCanary()
    const counted: string[] = []
    const errors: SplitlaneError[] = []
    const options = {
      splitter,
      cookie: false as const,
      getKey: () => 'k',
      metrics: {
        record: (unit: { experiment: string; variant: string | null }) => void counted.push(`${unit.experiment}=${unit.variant}`),
      },
      onError: (error: SplitlaneError) => void errors.push(error),
    }
    const app = newApp()
    await app.register(splitlane, options)
    await app.register(async (child) => {
      await child.register(splitlane, options)
      child.get('/inner', { config: { splitlane: { variants: { control: () => 'old', canary: () => 'new' } } } }, () => 'route')
    })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const response = await fetch(`${url}/inner`)
    const variant = splitter.variantOf('checkout', 'k')
    expect(response.headers.get('splitlane-variant')).toBe(`checkout=${variant}`)
    expect(await response.text()).toBe(variant === 'canary' ? 'new' : 'old')
    await vi.waitFor(() => expect(counted.length).toBeGreaterThan(0)) // recorded on the response's 'close'
    await new Promise(setImmediate) // a second pass's listener would have fired by now
    expect(counted).toEqual([`checkout=${variant}`])
    expect(errors).toEqual([])
  })
})
