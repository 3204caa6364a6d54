// What a visitor can try against an adapter's request side, run by every adapter: real servers on
// 127.0.0.1 port 0, real HTTP. Each checks the status, the variant header and the metrics.
import { createHmac } from 'node:crypto'
import { createMetricsRecorder, createSplitter, parseVariantHeader, type SplitlaneConfig, type SplitlaneError } from '@splitlane/core'
import { afterEach, describe, expect, it } from 'vitest'
import { setCookieSecretEnv, signedCookie, type AdapterFactory, type ScenarioServerSpec, type StartedServer } from './scenarios.js'

const COOKIE_SECRET = 'attack-cookie-secret'

/** canary has no weight: only a forged id, token or header could reach it. */
const config: SplitlaneConfig = {
  version: 1,
  experiments: {
    helloworld: {
      variants: [
        { name: 'v1', weight: 1 },
        { name: 'v2', weight: 0 },
      ],
      overrides: { 'qa-v2': 'v2' },
    },
  },
}

export function runAttackRequestScenarios(adapter: string, start: AdapterFactory): void {
  describe(`${adapter}: a hostile visitor (request side)`, () => {
    const servers: StartedServer[] = []
    afterEach(() => Promise.all(servers.splice(0).map((server) => server.close())))

    /** `cookie` 'default': no cookie option, the adapter's default (signed, the secret from SPLITLANE_COOKIE_SECRET). */
    type CookieOption = { secret: string | string[] } | { signed: false } | 'default'
    const specOf = (cookie: CookieOption, errors: SplitlaneError[]) => {
      const metrics = createMetricsRecorder()
      const sign = (message: string) => createHmac('sha256', 'attack-token-secret').update(message).digest()
      const splitter = createSplitter({ config, overrideTokens: { sign }, onError: (error) => errors.push(error) })
      const options = {
        splitter,
        metrics,
        userIdHeader: 'x-user-id',
        overrideTokens: true,
        onError: (error: SplitlaneError) => errors.push(error),
      }
      const spec: ScenarioServerSpec = {
        options: cookie === 'default' ? options : { ...options, cookie },
        routedExperiment: 'helloworld',
        proxies: [],
        userHeader: 'x-auth-user',
      }
      return { spec, metrics }
    }
    const startApp = async (cookie: CookieOption = { secret: COOKIE_SECRET }) => {
      const errors: SplitlaneError[] = []
      const { spec, metrics } = specOf(cookie, errors)
      const server = await start(spec)
      servers.push(server)
      const get = async (headers: Record<string, string> | Headers) => {
        const response = await fetch(`${server.url}/assignments`, { headers })
        await response.arrayBuffer()
        return { status: response.status, variant: parseVariantHeader(response.headers.get('splitlane-variant'))['helloworld'], response }
      }
      /** Requests counted for a variant, in analysis or excluded from it (errors, forced). */
      const counted = (variant: string) => {
        const stats = metrics.snapshot().experiments['helloworld']?.[variant]
        return (stats?.requests ?? 0) + (stats?.excluded?.requests ?? 0)
      }
      return { errors, get, counted }
    }

    it('an unsigned, tampered or forged sticky cookie never picks the variant: control, a fresh signed cookie, counted as control', async () => {
      const app = await startApp()
      for (const cookie of ['splitlane_id=qa-v2', 'splitlane_id=qa-v2.AAAA', 'splitlane_id=qa-v2.' + 'A'.repeat(43)]) {
        const result = await app.get({ cookie, 'x-user-id': '' })
        expect(result).toMatchObject({ status: 200, variant: 'v1' })
        expect(result.response.headers.getSetCookie()[0]).toMatch(/^splitlane_id=[0-9a-f-]{36}\.[A-Za-z0-9%]{43,}; /)
      }
      expect(app.counted('v2')).toBe(0)
      expect(app.counted('v1')).toBe(3)
      expect(app.errors.map((error) => error.code)).toEqual(Array(3).fill('SPLITLANE_ERR_REQUEST_INVALID'))
    })

    it('by default (no cookie option) the cookie is signed: an id sent in clear, tampered or signed with another secret gets a new id', async () => {
      const restore = setCookieSecretEnv('attack-env-secret')
      try {
        const app = await startApp('default')
        const forged = signedCookie('qa-v2', 'attack-env-secret')
        const tampered = `${forged.slice(0, -2)}${forged.endsWith('AA') ? 'BB' : 'AA'}`
        for (const cookie of ['splitlane_id=qa-v2', tampered, signedCookie('qa-v2', 'guessed-secret')]) {
          const result = await app.get({ cookie })
          expect(result).toMatchObject({ status: 200, variant: 'v1' })
          const [fresh] = result.response.headers.getSetCookie()
          const id = /^splitlane_id=([0-9a-f-]{36})\./.exec(fresh!)![1]!
          expect(fresh!.split(';', 1)[0]).toBe(signedCookie(id, 'attack-env-secret'))
        }
        expect(app.counted('v2')).toBe(0)
        // the id the app signed with the variable's secret is honoured: here, qa-v2's override
        expect(await app.get({ cookie: forged })).toMatchObject({ status: 200, variant: 'v2' })
      } finally {
        restore()
      }
    })

    it('without a secret the adapter refuses to start: SPLITLANE_ERR_COOKIE_SECRET_MISSING, saying how to fix it', async () => {
      const restore = setCookieSecretEnv(undefined)
      try {
        const errors: SplitlaneError[] = []
        const started = start(specOf('default', errors).spec)
        await expect(started).rejects.toMatchObject({ code: 'SPLITLANE_ERR_COOKIE_SECRET_MISSING' })
        const message = ((await started.catch((error: unknown) => error)) as Error).message
        for (const named of ['SPLITLANE_COOKIE_SECRET', 'cookie: { secret }', 'cookie: { signed: false }']) expect(message).toContain(named)
        setCookieSecretEnv('') // empty is unset: it would sign with a secret everyone knows
        await expect(start(specOf('default', errors).spec)).rejects.toMatchObject({ code: 'SPLITLANE_ERR_COOKIE_SECRET_MISSING' })
        expect(errors).toEqual([])
      } finally {
        restore()
      }
    })

    it('rotating secrets: a cookie signed with an older secret of the list is honoured and set again, signed with the first', async () => {
      const app = await startApp({ secret: ['new-secret', COOKIE_SECRET] })
      const old = signedCookie('qa-v2', COOKIE_SECRET)
      const result = await app.get({ cookie: old })
      expect(result).toMatchObject({ status: 200, variant: 'v2' })
      const resigned = result.response.headers.getSetCookie()[0]!
      expect(resigned).toMatch(/; Max-Age=34560000; Path=\/; HttpOnly; SameSite=Lax$/)
      expect(resigned.split(';', 1)[0]).toBe(signedCookie('qa-v2', 'new-secret'))
      const again = await app.get({ cookie: signedCookie('qa-v2', 'new-secret') })
      expect(again).toMatchObject({ status: 200, variant: 'v2' })
      expect(again.response.headers.getSetCookie()).toEqual([])
      expect(app.errors).toEqual([])
    })

    it('a signed cookie the app set is honoured on the next request', async () => {
      const app = await startApp()
      const first = await app.get({})
      const pair = first.response.headers.getSetCookie()[0]!.split(';', 1)[0]!
      const again = await app.get({ cookie: pair })
      expect(again).toMatchObject({ status: 200, variant: 'v1' })
      expect(again.response.headers.getSetCookie()).toEqual([])
      expect(app.errors).toEqual([])
    })

    it('with signing off, an id sent in clear is taken as it is (what signing prevents)', async () => {
      const app = await startApp({ signed: false })
      expect(await app.get({ cookie: 'splitlane_id=qa-v2' })).toMatchObject({ status: 200, variant: 'v2' })
    })

    it('7,500 override tokens in one header: answered, at most 8 read, one report for the rest', async () => {
      const app = await startApp()
      const started = performance.now()
      const result = await app.get({ 'splitlane-override': Array(7500).fill('x').join(','), 'x-user-id': 'u1' })
      expect(result).toMatchObject({ status: 200, variant: 'v1' })
      expect(performance.now() - started).toBeLessThan(2000)
      expect(app.errors.length).toBeLessThanOrEqual(9)
      expect(app.errors.filter((error) => /more than 8 override tokens/.test(error.message))).toHaveLength(1)
      expect(app.counted('v1')).toBe(1)
    })

    it('a repeated user-id header is rejected (control, reason error), not joined into "alice, bob"', async () => {
      const app = await startApp()
      const headers = new Headers()
      headers.append('x-user-id', 'qa-v2')
      headers.append('x-user-id', 'bob')
      expect(await app.get(headers)).toMatchObject({ status: 200, variant: 'v1' })
      expect(app.errors.map((error) => error.code)).toContain('SPLITLANE_ERR_REQUEST_INVALID')
      expect(app.counted('v2')).toBe(0)
    })

    it('an oversized user-id header is rejected, and the request goes on', async () => {
      const app = await startApp()
      expect(await app.get({ 'x-user-id': 'q'.repeat(8000) })).toMatchObject({ status: 200, variant: 'v1' })
      expect(app.errors.map((error) => error.code)).toContain('SPLITLANE_ERR_REQUEST_INVALID')
    })
  })
}
