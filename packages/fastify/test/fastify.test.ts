import { createSplitter } from '@splitlane/core'
import { startEcho, type Echoed } from '@splitlane/test-utils'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { splitlane, proxyByVariant } from '../src/index.js'

const splitter = createSplitter({
  config: {
    version: 1,
    experiments: { checkout: { variants: [{ name: 'a' }, { name: 'b' }] }, search: { variants: [{ name: 'x' }, { name: 'y' }] } },
  },
})

describe('splitlane plugin', () => {
  it('assigns a route’s own experiments (config.splitlane.experiments) and every experiment elsewhere', async () => {
    const fastify = Fastify()
    await fastify.register(splitlane, { splitter, getKey: () => 'k', cookie: false })
    fastify.get('/search', { config: { splitlane: { experiments: ['search'] } } }, (request) => Object.keys(request.splitlane!))
    fastify.get('/', (request) => Object.keys(request.splitlane!))
    const search = await fastify.inject('/search')
    expect(search.json()).toEqual(['search'])
    expect(search.headers['splitlane-variant']).toBe(`search=${splitter.variantOf('search', 'k')}`)
    expect((await fastify.inject('/')).json()).toEqual(['checkout', 'search'])
    await fastify.close()
  })

  it('is registered once per instance through fastify-plugin (request.splitlane is visible to sibling plugins)', async () => {
    const fastify = Fastify()
    await fastify.register(splitlane, { splitter })
    await fastify.register((child, _options, done) => {
      child.get('/child', (request) => ({ variant: request.splitlane?.['checkout']?.variant ?? null }))
      done()
    })
    const response = await fastify.inject('/child')
    expect(['a', 'b']).toContain(response.json<{ variant: string }>().variant)
    expect(response.headers['set-cookie']).toMatch(/^splitlane_id=/)
    await fastify.close()
  })

  it('forwards the whole URL by default, and the URL without the plugin prefix with stripPrefix', async () => {
    const echo = await startEcho()
    const fastify = Fastify()
    const single = createSplitter({
      config: { version: 1, experiments: { api: { variants: [{ name: 'a', value: `${echo.url}/base` }] } } },
    })
    await fastify.register(splitlane, { splitter: single, cookie: false, getKey: () => 'k' })
    await fastify.register(proxyByVariant, { prefix: '/whole' })
    await fastify.register(proxyByVariant, { prefix: '/stripped', stripPrefix: true })
    const urlOf = async (path: string) => (await fastify.inject(path)).json<Echoed>().url
    expect(await urlOf('/whole/x?y=1')).toBe('/base/whole/x?y=1')
    expect(await urlOf('/stripped/x?y=1')).toBe('/base/x?y=1')
    await fastify.close()
    await echo.close()
  })
})
