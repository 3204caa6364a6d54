import { signedCookie } from '@splitlane/test-utils'
import { describe, expect, it } from 'vitest'
import { defaultCookieSignature, webCryptoCookieSignature } from './cookie-signature.js'

const values = ['3f2c9a7e-4b1d-4c1e-9f00-0123456789ab', 'a', 'id.with.dots', 'x'.repeat(128)]
const secrets = ['s', 'a long random secret shared by every instance', 'ünïcødé 🔑']

describe('the sticky cookie signature of withSplitlane', () => {
  it('is synchronous on Node (node:crypto through process.getBuiltinModule)', () => {
    expect(defaultCookieSignature.synchronous).toBe(true)
    expect(typeof defaultCookieSignature.signature.sign('v', 's')).toBe('string')
  })

  it('signs exactly as WebCrypto and cookie-signature do, so cookies verify across runtimes', async () => {
    const node = defaultCookieSignature.signature
    for (const value of values)
      for (const secret of secrets) {
        const signed = node.sign(value, secret) as string
        expect(signed).toBe(await webCryptoCookieSignature.sign(value, secret))
        expect(`splitlane_id=${encodeURIComponent(signed)}`).toBe(signedCookie(value, secret))
        expect(node.unsign(signed, secret)).toBe(value)
        expect(await webCryptoCookieSignature.unsign(signed, secret)).toBe(value)
      }
  })

  it('rejects a tampered value, a tampered signature and another secret', () => {
    const node = defaultCookieSignature.signature
    const signed = node.sign('user-1', 'secret') as string
    expect(node.unsign(signed.replace('user-1', 'user-2'), 'secret')).toBe(false)
    expect(node.unsign(`${signed.slice(0, -1)}${signed.endsWith('A') ? 'B' : 'A'}`, 'secret')).toBe(false)
    expect(node.unsign(signed, 'other secret')).toBe(false)
    expect(node.unsign('user-1', 'secret')).toBe(false)
  })
})
