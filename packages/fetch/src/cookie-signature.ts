// cookie-signature's format (`value.base64(HMAC-SHA256)` without padding, as Express and Fastify sign)
// over WebCrypto, which every runtime of this adapter has, and which is asynchronous.
import type { CookieSignature } from '@splitlane/core/adapter'

const encoder = new TextEncoder()
const keys = new Map<string, Promise<CryptoKey>>()
const keyOf = (secret: string) => {
  let key = keys.get(secret)
  if (key === undefined)
    keys.set(secret, (key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])))
  return key
}

async function sign(value: string, secret: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await keyOf(secret), encoder.encode(value)))
  return `${value}.${btoa(String.fromCharCode(...mac)).replace(/=+$/, '')}`
}

/** Compares in time that depends only on the lengths. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

export const webCryptoCookieSignature: CookieSignature = {
  sign,
  async unsign(signed, secret) {
    const value = signed.slice(0, signed.lastIndexOf('.'))
    return sameText(await sign(value, secret), signed) ? value : false
  },
}
