// cookie-signature's format (`value.base64(HMAC-SHA256)` without padding, as Express and Fastify sign):
// synchronous over node:crypto where the runtime hands it out (Node 20.16+, Bun, Deno), else over
// WebCrypto, which every runtime of this adapter has, and which is asynchronous (Workers, browsers).
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

interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: string): { update(data: string): { digest(encoding: 'base64'): string } }
}

/** node:crypto through `process.getBuiltinModule`, without importing it (the adapter must load on Workers too). */
function nodeCrypto(): NodeCrypto | undefined {
  try {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const crypto = process?.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined
    return typeof crypto?.createHmac === 'function' ? (crypto as NodeCrypto) : undefined
  } catch {
    return undefined
  }
}

function nodeCookieSignature(crypto: NodeCrypto): CookieSignature {
  const sign = (value: string, secret: string) =>
    `${value}.${crypto.createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`
  return {
    sign,
    unsign(signed, secret) {
      const value = signed.slice(0, signed.lastIndexOf('.'))
      return sameText(sign(value, secret), signed) ? value : false
    },
  }
}

const nodeCryptoModule = nodeCrypto()
/**
 * The signature `withSplitlane` uses: synchronous where node:crypto is at hand (the cookie is then read and
 * written with no extra turn of the event loop: WebCrypto's HMAC cost a first visit about 200 µs on Node).
 */
export const defaultCookieSignature: { readonly signature: CookieSignature; readonly synchronous: boolean } =
  nodeCryptoModule === undefined
    ? { signature: webCryptoCookieSignature, synchronous: false }
    : { signature: nodeCookieSignature(nodeCryptoModule), synchronous: true }
