// byVariant checked when it is built, the `control` role, and a second experiment added live.
import { createSplitter, type SplitlaneError } from '@splitlane/core'
import { afterAll, describe, expect, it } from 'vitest'
import { byVariant, withSplitlane } from '../src/index.js'
import { serveFetch, type FetchServer } from './node-server.js'

const stableCanary = () =>
  createSplitter({ config: { version: 1, experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] } } } })
const keyOf = (splitter: ReturnType<typeof createSplitter>, variant: string) => {
  for (let i = 0; ; i++) if (splitter.variantOf('checkout', `user-${i}`) === variant) return `user-${i}`
}
const reply = (text: string) => () => new Response(text)
const servers: FetchServer[] = []
afterAll(() => Promise.all(servers.map((server) => server.close())))

describe('byVariant', () => {
  it('without experiment while the config has several, or with a key naming no variant: OPTIONS_INVALID when built', () => {
    const two = createSplitter({
      config: { version: 1, experiments: { checkout: { variants: [{ name: 'a' }] }, search: { variants: [{ name: 'x' }] } } },
    })
    expect(() => byVariant({ a: reply('a') }, reply('old'), { splitter: two })).toThrow(/several experiments \(checkout, search\)/)
    // @ts-expect-error a config written in code makes the unknown name a compile error; this is the run-time guard
    expect(() => byVariant({ v2: reply('v2') }, reply('old'), { splitter: stableCanary() })).toThrow(
      /"v2" names no variant of "checkout" \(variants: stable, canary/,
    )
  })

  it('`control` is the control variant whatever its name; a second experiment added live answers 500 and tells onError', async () => {
    const splitter = stableCanary()
    const errors: SplitlaneError[] = []
    const routed = byVariant({ control: reply('old'), canary: reply('new') }, reply('fallback'), { splitter })
    const getKey = (request: Request) => request.headers.get('x-key')
    const server = await serveFetch(withSplitlane(routed, { splitter, cookie: false, getKey, onError: (error) => void errors.push(error) }))
    servers.push(server)
    const answer = async (variant: string) => {
      const response = await fetch(server.url, { headers: { 'x-key': keyOf(splitter, variant) } })
      return `${response.status} ${await response.text()}`
    }
    expect(await answer('stable')).toBe('200 old')
    expect(await answer('canary')).toBe('200 new')
    const added = splitter.update({
      version: 1,
      experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] }, search: { variants: [{ name: 'x' }] } },
    })
    expect(added.ok).toBe(true)
    expect(await answer('canary')).toMatch(/^500 splitlane: byVariant: the request has several experiments \(checkout, search\)/)
    expect(errors.map((error) => error.code)).toEqual(['SPLITLANE_ERR_OPTIONS_INVALID'])
  })
})
