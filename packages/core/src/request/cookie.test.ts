import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stickyCookieHeader, stickyCookieWriter } from './cookie.js'
import type { StickyCookieOptions } from './types.js'

describe('stickyCookieWriter', () => {
  it('writes exactly what stickyCookieHeader writes, for any id and options', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._~:-]{1,128}$/)
    const options = fc.record(
      {
        name: fc.constantFrom('splitlane_id', 'sid'),
        maxAgeSeconds: fc.nat(),
        path: fc.constantFrom('/', '/app'),
        domain: fc.constantFrom('example.com', '.example.org'),
        secure: fc.constantFrom(true, false, 'auto' as const),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(
        options,
        fc.array(fc.tuple(id, fc.boolean()), { minLength: 1, maxLength: 5 }),
        (cookieOptions: StickyCookieOptions, calls) => {
          const write = stickyCookieWriter(cookieOptions)
          for (const [value, secureRequest] of calls)
            expect(write(value, secureRequest)).toBe(stickyCookieHeader(value, cookieOptions, secureRequest))
        },
      ),
    )
  })

  it('throws for options that cookie.serialize rejects, as stickyCookieHeader does', () => {
    expect(() => stickyCookieWriter({ domain: 'bad domain' })('abc', false)).toThrow(TypeError)
  })
})
