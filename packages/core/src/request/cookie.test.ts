import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parse } from 'cookie'
import { cookieValue, stickyCookieHeader, stickyCookieWriter } from './cookie.js'
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

describe('cookieValue', () => {
  it('reads one cookie exactly as cookie.parse does, for any header and name', () => {
    const piece = fc.constantFrom('a', 'b', 'sid', 'splitlane_id', ' ', '\t', ';', '; ', '=', '%', '%41', '%E0%A4%A', '"', 'x y', '')
    const header = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''))
    const name = fc.constantFrom('a', 'b', 'sid', 'splitlane_id', 'a b', '')
    fc.assert(
      fc.property(header, name, (text, cookie) => {
        expect(cookieValue(text, cookie)).toBe(parse(text)[cookie])
      }),
      { numRuns: 20_000 },
    )
  })

  it("finds ours among a browser's other cookies, first occurrence winning", () => {
    const header = '_ga=GA1.1.12345.678; consent=%7B%22ads%22%3Afalse%7D; splitlane_id=3f2c9a7e; theme=dark; splitlane_id=later'
    expect(cookieValue(header, 'splitlane_id')).toBe('3f2c9a7e')
    expect(cookieValue(header, 'consent')).toBe('{"ads":false}')
    expect(cookieValue(header, 'missing')).toBeUndefined()
  })
})
