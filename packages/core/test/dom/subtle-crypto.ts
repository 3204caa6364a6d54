// Type test (checked by `pnpm typecheck` with the DOM lib, as a browser or Workers app sees it): the
// standard `crypto.subtle` must be accepted by createWebCryptoHmac without a cast.
import { createWebCryptoHmac, type SubtleCryptoLike } from '../../src/index.js'

export const subtle: SubtleCryptoLike = crypto.subtle
export const sign = createWebCryptoHmac({ secret: 'qa-secret', subtle: crypto.subtle })
export const fromBytes = createWebCryptoHmac({ secret: new TextEncoder().encode('qa-secret'), subtle: globalThis.crypto.subtle })
