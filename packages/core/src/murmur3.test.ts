import fc from 'fast-check'
import reference from 'murmurhash3js-revisited'
import { describe, expect, it } from 'vitest'
import { mix32, murmur3 } from './murmur3.js'

const encoder = new TextEncoder()
const referenceHash = (text: string, seed = 0): number => reference.x86.hash32(encoder.encode(text), seed)

describe('murmur3', () => {
  it.each([
    ['fractional-flagjack', 2682799072],
    ['café', 605818632],
    ['Hellø', 567617844],
    ['😀', 3199479546],
    ['ejOoVL', 0x0],
    ['bY9fO-', 0x1],
    ['SI7p-', 0x7fffffff],
    ['6LvT0', 0x80000000],
    ['ceQdGm', 0xffffffff],
    ['', 0],
  ])('hashes %j to %d with seed 0', (text, expected) => {
    expect(murmur3(text)).toBe(expected)
    expect(murmur3(text, 0)).toBe(expected)
  })

  it('uses the seed', () => {
    expect(murmur3('ppid11886780721', 1)).toBe(2256854705)
  })

  it('equals murmurhash3js-revisited over TextEncoder bytes for any Unicode string and seed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), fc.integer({ min: 0, max: 0xffffffff }), (text, seed) => {
        expect(murmur3(text, seed)).toBe(referenceHash(text, seed))
      }),
      { numRuns: 5000 },
    )
  })

  it('equals the reference for strings with lone surrogates anywhere', () => {
    const codeUnits = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff })),
      { maxLength: 40 },
    )
    fc.assert(
      fc.property(codeUnits, fc.integer({ min: 0, max: 0xffffffff }), (units, seed) => {
        const text = String.fromCharCode(...units)
        expect(murmur3(text, seed)).toBe(referenceHash(text, seed))
      }),
      { numRuns: 5000 },
    )
  })

  it('equals the reference on ASCII prefixes of every length followed by non-ASCII text', () => {
    for (let prefix = 0; prefix < 12; prefix++)
      for (const tail of ['é', '日本', '😀', '\ud800', 'a\udc00b'])
        for (const seed of [0, 1, 0xdeadbeef]) {
          const text = 'x'.repeat(prefix) + tail
          expect(murmur3(text, seed)).toBe(referenceHash(text, seed))
        }
  })

  it('equals the reference for non-ASCII keys of any length (past the old 1,024-unit buffer)', () => {
    for (const text of ['é'.repeat(1025), `${'x'.repeat(3000)}日本`, '😀'.repeat(700), `a${'\ud800'.repeat(2000)}`])
      expect(murmur3(text, 99)).toBe(referenceHash(text, 99))
  })

  it('reads each character of a non-ASCII key once (no second pass after an ASCII attempt)', () => {
    // A string-like object that counts reads: hashText only uses length and charCodeAt.
    const counted = (text: string) => {
      let reads = 0
      const view = { length: text.length, charCodeAt: (i: number) => (reads++, text.charCodeAt(i)) }
      return { view: view as unknown as string, reads: () => reads }
    }
    for (const text of [`${'x'.repeat(40)}é${'y'.repeat(40)}`, `日本${'z'.repeat(30)}`, '😀'.repeat(50)]) {
      const { view, reads } = counted(text)
      expect(murmur3(view, 7)).toBe(referenceHash(text, 7))
      expect(reads()).toBeLessThanOrEqual(text.length + 4) // the block that held the first non-ASCII character is read again
    }
  })

  it('takes seeds modulo 2^32', () => {
    expect(murmur3('abc', 2 ** 32 + 5)).toBe(murmur3('abc', 5))
    expect(murmur3('abc', -1)).toBe(murmur3('abc', 0xffffffff))
  })

  it('mix32 is the MurmurHash3 finalizer of word XOR seed (murmur3 of no bytes seeded with it)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (word, seed) => {
        expect(mix32(word, seed)).toBe(reference.x86.hash32([], (word ^ seed) >>> 0))
      }),
      { numRuns: 2000 },
    )
  })
})
