import { createHmac, webcrypto } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ErrorCode, type SplitlaneError } from './errors.js'
import { createWebCryptoHmac, mintOverrideToken, toBase64Url } from './override-tokens.js'
import { createSplitter } from './splitter.js'
import type { SplitlaneConfig, VerifiedOverrides } from './types.js'

const SECRET = 'test-secret-not-in-config'
const sign = (message: string) => createHmac('sha256', SECRET).update(message).digest()
const NOW = Date.UTC(2026, 10, 22, 12)
const HOUR = 3_600_000

const config: SplitlaneConfig = {
  version: 1,
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 99 },
        { name: 'canary', weight: 1 },
      ],
      exposure: 50,
    },
    search: { variants: [{ name: 'bm25' }, { name: 'vector' }] },
  },
}

function setup(withSigner = true) {
  const errors: SplitlaneError[] = []
  const splitter = createSplitter({ config, onError: (error) => errors.push(error), overrideTokens: withSigner ? { sign } : undefined })
  const verify = (text: string | undefined) => splitter.verifyOverrides(text, NOW) as VerifiedOverrides
  return { splitter, errors, verify }
}

const token = (experiment: string, variant: string, expiresAt = NOW + HOUR) => mintOverrideToken({ experiment, variant, expiresAt, sign })

/** A unit that the split puts in control, so a forced canary is visible. */
const KEY = Array.from({ length: 100 }, (_, i) => `user-${i}`).find(
  (key) => createSplitter({ config }).assign('checkout', { key }).variant === 'stable',
)!

describe('override tokens', () => {
  it('mints a readable token signed over experiment, variant and expiry', () => {
    const minted = token('checkout', 'canary', NOW + HOUR + 999)
    const expiry = (NOW + HOUR) / 1000
    expect(minted).toBe(`spl1:checkout:canary:${expiry}:${toBase64Url(sign(`spl1:checkout:canary:${expiry}`))}`)
    expect(toBase64Url(sign(''))).toBe(createHmac('sha256', SECRET).update('').digest('base64url'))
  })

  it('a valid token forces its variant for that request (synchronously with a sync HMAC)', () => {
    const { splitter, errors, verify } = setup()
    const overrides = verify(token('checkout', 'canary'))
    expect(overrides.variants).toEqual({ checkout: 'canary' })
    const assignment = splitter.assign('checkout', { key: KEY, overrides })
    expect(assignment).toMatchObject({ variant: 'canary', reason: 'override', inExperiment: false })
    expect(splitter.explain(assignment)).toMatch(/a signed override token presented with the request forces "canary"/)
    expect(splitter.assign('search', { key: KEY, overrides }).reason).not.toBe('override')
    expect(splitter.assign('checkout', { key: KEY }).variant).toBe('stable')
    expect(errors).toEqual([])
    expect(splitter.overrideTokenCounts).toEqual({ accepted: 1, rejected: 0, rejectedByCode: {} })
  })

  it('reads several tokens from one header value', () => {
    const { splitter, verify } = setup()
    const overrides = verify(`${token('checkout', 'canary')}, ${token('search', 'vector')}`)
    expect(splitter.assignAll({ key: KEY, overrides })).toMatchObject({ checkout: { variant: 'canary' }, search: { variant: 'vector' } })
  })

  const [head, signature] = [token('checkout', 'canary').slice(0, -43), token('checkout', 'canary').slice(-43)]
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`

  it.each<[string, string, ErrorCode]>([
    ['unsigned', 'spl1:checkout:canary:1800000000', ErrorCode.OverrideTokenMalformed],
    ['garbage', 'let-me-in', ErrorCode.OverrideTokenMalformed],
    ['truncated', token('checkout', 'canary').slice(0, -5), ErrorCode.OverrideTokenMalformed],
    ['tampered variant', `${head.replace(':canary:', ':stable:')}${signature}`, ErrorCode.OverrideTokenSignature],
    [
      'tampered expiry',
      `${head.replace(/:(\d+):$/, (_, s: string) => `:${Number(s) + 86400}:`)}${signature}`,
      ErrorCode.OverrideTokenSignature,
    ],
    ['tampered signature', `${head}${flipped}`, ErrorCode.OverrideTokenSignature],
    [
      'signed with another secret',
      mintOverrideToken({
        experiment: 'checkout',
        variant: 'canary',
        expiresAt: NOW + HOUR,
        sign: (m) => createHmac('sha256', 'other').update(m).digest(),
      }),
      ErrorCode.OverrideTokenSignature,
    ],
    ['expired', token('checkout', 'canary', NOW - 1000), ErrorCode.OverrideTokenExpired],
    ['expiring now', token('checkout', 'canary', NOW), ErrorCode.OverrideTokenExpired],
    ['for an experiment not in the config', token('pricing', 'canary'), ErrorCode.OverrideTokenUnknown],
    ['for a variant not in the experiment', token('checkout', 'v9'), ErrorCode.OverrideTokenUnknown],
  ])('a token %s is ignored, counted and reported; the unit gets its normal assignment', (_, text, code) => {
    const { splitter, errors, verify } = setup()
    const overrides = verify(text)
    expect(overrides.variants).toEqual({})
    expect(splitter.assign('checkout', { key: KEY, overrides })).toMatchObject({ variant: 'stable', reason: 'split' })
    expect(errors.map((error) => error.code)).toEqual([code])
    expect(splitter.overrideTokenCounts).toEqual({ accepted: 0, rejected: 1, rejectedByCode: { [code]: 1 } })
  })

  it('a token for one experiment does not force another (the experiment is signed)', () => {
    const { splitter, errors, verify } = setup()
    const forged = token('search', 'vector').replace('spl1:search:vector', 'spl1:checkout:vector')
    expect(verify(forged).variants).toEqual({})
    expect(errors[0]!.code).toBe(ErrorCode.OverrideTokenSignature)
    expect(splitter.assign('checkout', { key: KEY, overrides: verify(token('search', 'vector')) }).variant).toBe('stable')
  })

  it('without a configured signer every token is rejected', () => {
    const { errors, verify } = setup(false)
    expect(verify(token('checkout', 'canary')).variants).toEqual({})
    expect(errors[0]!.message).toMatch(/no overrideTokens.sign was given to createSplitter/)
  })

  it('ignores and reports overrides that did not come from verifyOverrides', () => {
    const { splitter, errors } = setup()
    const forged = { variants: { checkout: 'canary' }, expiresAt: { checkout: NOW + HOUR } }
    expect(splitter.assign('checkout', { key: KEY, overrides: forged }).variant).toBe('stable')
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.ContextInvalid])
  })

  it('no token, no error', () => {
    const { errors, verify } = setup()
    expect(verify(undefined).variants).toEqual({})
    expect(verify('').variants).toEqual({})
    expect(errors).toEqual([])
  })

  it('never throws when the HMAC function throws or returns the wrong thing', () => {
    for (const bad of [
      () => {
        throw new Error('hsm down')
      },
      () => new Uint8Array(5),
    ]) {
      const errors: SplitlaneError[] = []
      const splitter = createSplitter({ config, onError: (error) => errors.push(error), overrideTokens: { sign: bad } })
      const overrides = splitter.verifyOverrides(token('checkout', 'canary'), NOW) as VerifiedOverrides
      expect(overrides.variants).toEqual({})
      expect(errors.map((error) => error.code)).toEqual([ErrorCode.OverrideTokenSignature])
    }
  })
})

describe('override tokens with WebCrypto (asynchronous HMAC)', () => {
  const hmac = createWebCryptoHmac({ secret: SECRET, subtle: webcrypto.subtle })

  it('computes the same HMAC-SHA256 as node:crypto', async () => {
    expect(Buffer.from(await hmac('spl1:checkout:canary:1')).equals(sign('spl1:checkout:canary:1'))).toBe(true)
  })

  it('mints and verifies asynchronously; assign stays synchronous', async () => {
    const minted = await mintOverrideToken({ experiment: 'checkout', variant: 'canary', expiresAt: NOW + HOUR, sign: hmac })
    expect(minted).toBe(token('checkout', 'canary'))
    const errors: SplitlaneError[] = []
    const splitter = createSplitter({ config, onError: (error) => errors.push(error), overrideTokens: { sign: hmac } })
    const pending = splitter.verifyOverrides(`${minted} spl1:checkout:canary:1:${'A'.repeat(43)}`, NOW)
    expect(pending).toBeInstanceOf(Promise)
    const overrides = await pending
    expect(splitter.assign('checkout', { key: KEY, overrides })).toMatchObject({ variant: 'canary', reason: 'override' })
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.OverrideTokenSignature])
    expect(splitter.overrideTokenCounts.accepted).toBe(1)
  })

  it('mint rejects bad input with a clear error', () => {
    expect(() => mintOverrideToken({ experiment: 'no such', variant: 'a', expiresAt: NOW, sign })).toThrow(
      'experiment must be an experiment name',
    )
    expect(() => mintOverrideToken({ experiment: 'e', variant: 'a', expiresAt: Number.NaN, sign })).toThrow('expiresAt must be a time')
    expect(() => createWebCryptoHmac({ secret: '', subtle: webcrypto.subtle })).toThrow('the secret must not be empty')
  })
})
