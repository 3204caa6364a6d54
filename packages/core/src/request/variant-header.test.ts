import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NAME_PATTERN } from '../config/schema.js'
import { readStickyCookie } from './cookie.js'
import { hopByHopHeaders } from './hop-by-hop.js'
import { formatVariantHeader, parseVariantHeader } from './variant-header.js'

const name = fc.stringMatching(NAME_PATTERN)

describe('variant header', () => {
  it('parses back what it formats, for any names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, name), { selector: ([experiment]) => experiment, maxLength: 8 }), (pairs) => {
        const header = formatVariantHeader(pairs.map(([experiment, variant]) => ({ experiment, variant })))
        expect({ ...parseVariantHeader(header) }).toEqual(Object.fromEntries(pairs))
      }),
    )
  })

  it('skips junk, reads several lines, first wins, and leaves out null variants', () => {
    expect({ ...parseVariantHeader(['a=1, junk, =x, b = 2 ,c=d=e', 'a=9, d=4']) }).toEqual({ a: '1', b: '2', d: '4' })
    expect({ ...parseVariantHeader(undefined) }).toEqual({})
    expect(formatVariantHeader([{ experiment: 'x', variant: null }])).toBe('')
    expect(Object.getPrototypeOf(parseVariantHeader('__proto__=v'))).toBe(null)
  })
})

describe('sticky cookie', () => {
  it('tells absent, usable and broken apart', () => {
    expect(readStickyCookie(undefined, 'sid')).toBeUndefined()
    expect(readStickyCookie('a=1', 'sid')).toBeUndefined()
    expect(readStickyCookie('a=1; sid=3f2c-9a', 'sid')).toBe('3f2c-9a')
    expect(readStickyCookie('sid=a b', 'sid')).toBeNull()
    expect(readStickyCookie(['a=1', 'sid=x'], 'sid')).toBe('x')
  })
})

describe('hop-by-hop headers', () => {
  it('lists the fixed ones and those the Connection header names', () => {
    const names = hopByHopHeaders('close, X-Private')
    expect([...names]).toEqual(expect.arrayContaining(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'x-private']))
    expect(names.has('content-type')).toBe(false)
  })
})
