import '../regex.js'
import fc from 'fast-check'
import ipaddr from 'ipaddr.js'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import type { Condition } from '../types.js'
import { createConditionCompiler, matches } from './conditions.js'
import { addressOf, compareSemver, inCidr, parseCidr, parseIsoDate, parseSemver } from './operators.js'

const compile = createConditionCompiler({
  beta: { attribute: 'groups', op: 'in', values: ['beta'] },
  betaInDe: { all: [{ segment: 'beta' }, { attribute: 'country', op: 'equals', values: ['DE'] }] },
})
const test = (condition: Condition, attributes: Record<string, unknown> | undefined) => matches(compile(condition), attributes)

describe('operators on a present attribute of the right type', () => {
  it.each<[Condition, Record<string, unknown>, boolean]>([
    [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }, { plan: 'team' }, true],
    [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }, { plan: 'free' }, false],
    [{ attribute: 'plan', op: 'notIn', values: ['pro', 'team'] }, { plan: 'free' }, true],
    [{ attribute: 'plan', op: 'notIn', values: ['pro', 'team'] }, { plan: 'pro' }, false],
    [{ attribute: 'tier', op: 'in', values: [3, true] }, { tier: '3' }, true],
    [{ attribute: 'tier', op: 'in', values: ['3'] }, { tier: 3 }, true],
    [{ attribute: 'flag', op: 'in', values: [true] }, { flag: true }, true],
    [{ attribute: 'country', op: 'equals', values: ['DE'] }, { country: 'DE' }, true],
    [{ attribute: 'country', op: 'equals', values: ['DE'] }, { country: 'de' }, false],
    [{ attribute: 'country', op: 'equals', values: ['DE'], caseInsensitive: true }, { country: 'de' }, true],
    [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }, { email: 'ann@example.com' }, true],
    [{ attribute: 'email', op: 'endsWith', values: ['@EXAMPLE.com'], caseInsensitive: true }, { email: 'ann@example.COM' }, true],
    [{ attribute: 'email', op: 'startsWith', values: ['qa+'] }, { email: 'qa+1@example.com' }, true],
    [{ attribute: 'ua', op: 'contains', values: ['Mobile', 'Android'] }, { ua: 'Mozilla/5.0 (Linux; Android 14)' }, true],
    [{ attribute: 'ua', op: 'contains', values: ['iPhone'] }, { ua: 'Mozilla/5.0 (Linux; Android 14)' }, false],
    [{ attribute: 'path', op: 'regex', values: ['^/api/v[23]/'] }, { path: '/api/v3/orders' }, true],
    [{ attribute: 'path', op: 'regex', values: ['^/API/'], caseInsensitive: true }, { path: '/api/v3' }, true],
    [{ attribute: 'path', op: 'regex', values: ['^/api/v[23]/'] }, { path: '/api/v1/orders' }, false],
    [{ attribute: 'age', op: 'gte', values: [18] }, { age: 18 }, true],
    [{ attribute: 'age', op: 'gt', values: [18] }, { age: 18 }, false],
    [{ attribute: 'age', op: 'lt', values: [18] }, { age: '17.5' }, true],
    [{ attribute: 'age', op: 'lte', values: [18] }, { age: BigInt(18) }, true],
    [{ attribute: 'age', op: 'eq', values: [1000] }, { age: '1e3' }, true],
    [{ attribute: 'app', op: 'semverGte', values: ['2.0.0'] }, { app: '2.0.0' }, true],
    [{ attribute: 'app', op: 'semverGte', values: ['2.0.0'] }, { app: '2.0.0-rc.1' }, false],
    [{ attribute: 'app', op: 'semverLt', values: ['2.0.0'] }, { app: 'v1.9.12' }, true],
    [{ attribute: 'app', op: 'semverEq', values: ['1.2.3'] }, { app: '1.2.3+build.7' }, true],
    [{ attribute: 'app', op: 'semverGt', values: ['1.0.0-alpha.1'] }, { app: '1.0.0-alpha.beta' }, true],
    [{ attribute: 'app', op: 'semverLte', values: ['1.0.0-rc.1'] }, { app: '1.0.0-beta.11' }, true],
    [{ attribute: 'signup', op: 'before', values: ['2026-01-01'] }, { signup: '2025-12-31T23:59:59Z' }, true],
    [{ attribute: 'signup', op: 'before', values: ['2026-01-01'] }, { signup: '2026-01-01T00:30:00+01:00' }, true],
    [{ attribute: 'signup', op: 'after', values: ['2026-01-01T00:00:00Z'] }, { signup: Date.UTC(2026, 0, 2) }, true],
    [{ attribute: 'signup', op: 'after', values: ['2026-01-01T00:00:00Z'] }, { signup: new Date(Date.UTC(2025, 0, 2)) }, false],
    [{ attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8', '192.168.0.0/16'] }, { ip: '10.1.2.3' }, true],
    [{ attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8'] }, { ip: '11.1.2.3' }, false],
    [{ attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8'] }, { ip: '::ffff:10.9.8.7' }, true],
    [{ attribute: 'ip', op: 'cidr', values: ['2001:db8::/32'] }, { ip: '2001:db8:1::42' }, true],
    [{ attribute: 'ip', op: 'cidr', values: ['2001:db8::/32'] }, { ip: '2001:db9::1' }, false],
    [{ attribute: 'ip', op: 'cidr', values: ['2001:db8::/32'] }, { ip: '10.1.2.3' }, false],
    [{ attribute: 'ip', op: 'cidr', values: ['127.0.0.1'] }, { ip: '127.0.0.1' }, true],
    [{ attribute: 'beta', op: 'exists' }, { beta: false }, true],
    [{ attribute: 'beta', op: 'exists', negate: true }, { beta: 0 }, false],
    [{ attribute: 'plan', op: 'in', values: ['pro'], negate: true }, { plan: 'free' }, true],
    [{ attribute: 'groups', op: 'in', values: ['beta'] }, { groups: ['staff', 'beta'] }, true],
    [{ attribute: 'groups', op: 'notIn', values: ['beta'] }, { groups: ['staff', 'beta'] }, false],
    [{ attribute: 'groups', op: 'notIn', values: ['beta'] }, { groups: ['staff'] }, true],
  ])('%# %o', (condition, attributes, expected) => {
    expect(test(condition, attributes)).toBe(expected)
  })
})

describe('missing attributes and wrong types (docs/guides/targeting.md, "Missing attributes and wrong types")', () => {
  const positive: Condition[] = [
    { attribute: 'x', op: 'in', values: ['a'] },
    { attribute: 'x', op: 'equals', values: ['a'] },
    { attribute: 'x', op: 'contains', values: ['a'] },
    { attribute: 'x', op: 'regex', values: ['.*'] },
    { attribute: 'x', op: 'gte', values: [0] },
    { attribute: 'x', op: 'semverGte', values: ['0.0.0'] },
    { attribute: 'x', op: 'after', values: ['1970-01-01'] },
    { attribute: 'x', op: 'cidr', values: ['0.0.0.0/0'] },
  ]
  const missing = [{}, { x: undefined }, { x: null }, undefined]

  it.each(positive)('a missing attribute never matches %j, negated or not', (condition) => {
    for (const attributes of missing) {
      expect(test(condition, attributes)).toBe(false)
      expect(test({ ...condition, negate: true }, attributes)).toBe(false)
    }
  })

  it('notIn needs the attribute too; exists tells presence; not inverts everything', () => {
    for (const attributes of missing) {
      expect(test({ attribute: 'x', op: 'notIn', values: ['a'] }, attributes)).toBe(false)
      expect(test({ attribute: 'x', op: 'exists' }, attributes)).toBe(false)
      expect(test({ attribute: 'x', op: 'exists', negate: true }, attributes)).toBe(true)
      expect(test({ not: { attribute: 'x', op: 'in', values: ['a'] } }, attributes)).toBe(true)
    }
  })

  it('an inherited property is not an attribute', () => {
    expect(test({ attribute: 'toString', op: 'exists' }, {})).toBe(false)
    expect(test({ attribute: 'constructor', op: 'exists' }, {})).toBe(false)
  })

  it.each<[Condition, unknown]>([
    [{ attribute: 'x', op: 'in', values: ['[object Object]'] }, {}],
    [{ attribute: 'x', op: 'equals', values: ['NaN'] }, Number.NaN],
    [{ attribute: 'x', op: 'gte', values: [0] }, 'ten'],
    [{ attribute: 'x', op: 'gte', values: [0] }, true],
    [{ attribute: 'x', op: 'gte', values: [0] }, ''],
    [{ attribute: 'x', op: 'semverGte', values: ['0.0.0'] }, '1.2'],
    [{ attribute: 'x', op: 'semverGte', values: ['0.0.0'] }, 1],
    [{ attribute: 'x', op: 'after', values: ['1970-01-01'] }, '2026-11-22T10:00:00'],
    [{ attribute: 'x', op: 'after', values: ['1970-01-01'] }, 'yesterday'],
    [{ attribute: 'x', op: 'after', values: ['1970-01-01'] }, new Date(Number.NaN)],
    [{ attribute: 'x', op: 'cidr', values: ['0.0.0.0/0'] }, '10.1'],
    [{ attribute: 'x', op: 'cidr', values: ['0.0.0.0/0'] }, 167772161],
    [{ attribute: 'x', op: 'in', values: ['a'] }, []],
    [{ attribute: 'x', op: 'in', values: ['a'] }, [{}, null]],
  ])('%j cannot read %j: false, negated or not', (condition, value) => {
    expect(test(condition, { x: value })).toBe(false)
    expect(test({ ...condition, negate: true }, { x: value })).toBe(false)
  })

  it('an array matches when any readable element does; unreadable elements are skipped', () => {
    expect(test({ attribute: 'x', op: 'gte', values: [10] }, { x: ['a', 3, '12'] })).toBe(true)
    expect(test({ attribute: 'x', op: 'gte', values: [10], negate: true }, { x: ['a', 3] })).toBe(true)
  })
})

describe('combinators and segments', () => {
  it('all, any, not and segment references', () => {
    expect(test({ segment: 'betaInDe' }, { groups: ['beta'], country: 'DE' })).toBe(true)
    expect(test({ segment: 'betaInDe' }, { groups: ['beta'], country: 'FR' })).toBe(false)
    expect(test({ any: [{ segment: 'beta' }, { attribute: 'staff', op: 'in', values: [true] }] }, { staff: true })).toBe(true)
    expect(test({ not: { segment: 'beta' } }, { groups: 'beta' })).toBe(false)
  })
})

describe('regex is linear-time (RE2)', () => {
  it('a pattern that makes a backtracking engine hang answers at once', () => {
    const condition: Condition = { attribute: 'x', op: 'regex', values: ['^(a+)+$'] }
    // With JavaScript's RegExp this input takes longer than the age of the universe (values stay under MAX_ATTRIBUTE_LENGTH).
    expect(test(condition, { x: `${'a'.repeat(1000)}!` })).toBe(false)
    expect(test(condition, { x: 'a'.repeat(1000) })).toBe(true)
  })
})

describe('semver', () => {
  const identifier = fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('alpha', 'beta', 'rc', 'a1', '0a', 'x-y', 'Z'))
  const version = fc
    .record({
      release: fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 }), fc.nat({ max: 5 })),
      pre: fc.array(identifier, { maxLength: 3 }),
      build: fc.option(fc.constantFrom('build.1', '001', 'sha-abc'), { nil: undefined }),
    })
    .map(({ release, pre, build }) => `${release.join('.')}${pre.length ? `-${pre.join('.')}` : ''}${build ? `+${build}` : ''}`)

  it('orders every pair as the semver package does, pre-releases included', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(compareSemver(parseSemver(a)!, parseSemver(b)!)).toBe(semver.compare(a, b))
      }),
      { numRuns: 5000 },
    )
  })

  it('accepts exactly what the semver package accepts as a strict version', () => {
    fc.assert(
      fc.property(fc.oneof(version, fc.string({ maxLength: 12 }), fc.stringMatching(/^v?[0-9.a-z+-]{1,14}$/)), (text) => {
        const ours = parseSemver(text) !== undefined
        const theirs = semver.valid(text) !== null && !/^[=\s]|\s$/.test(text)
        expect(ours).toBe(theirs)
      }),
      { numRuns: 5000 },
    )
  })

  it('orders the example of semver.org §11', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ]
    for (let i = 1; i < ordered.length; i++) expect(compareSemver(parseSemver(ordered[i - 1]!)!, parseSemver(ordered[i]!)!)).toBe(-1)
  })
})

describe('ISO 8601 and CIDR parsing', () => {
  it.each([
    ['2026-11-22', Date.UTC(2026, 10, 22)],
    ['2026-11-22T10:00Z', Date.UTC(2026, 10, 22, 10)],
    ['2026-11-22T10:00:00.250Z', Date.UTC(2026, 10, 22, 10, 0, 0, 250)],
    ['2026-11-22T10:00:00+02:00', Date.UTC(2026, 10, 22, 8)],
    ['2026-11-22T10:00:00-0130', Date.UTC(2026, 10, 22, 11, 30)],
  ])('%s', (text, expected) => {
    expect(parseIsoDate(text)).toBe(expected)
  })

  it.each(['2026-02-30', '2026-13-01', '2026-11-22T10:00:00', '22.11.2026', '2026-11-22T25:00Z', ''])('rejects %j', (text) => {
    expect(parseIsoDate(text)).toBeUndefined()
  })

  it.each(['10.0.0.0/33', '10.0.0/8', '2001:db8::/129', 'fe80::/x', 'localhost', '10.0.0.0/'])('rejects CIDR %j', (text) => {
    expect(parseCidr(text)).toBeUndefined()
  })
})

describe('IP addresses and CIDR, against ipaddr.js as the reference', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join('.'))
  const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16))
  const v6Full = fc.array(group, { minLength: 8, maxLength: 8 }).map((groups) => groups.join(':'))
  const v6Compressed = fc
    .tuple(fc.array(group, { maxLength: 3 }), fc.array(group, { maxLength: 3 }))
    .map(([head, tail]) => `${head.join(':')}::${tail.join(':')}`)
  const v6Mapped = v4.map((address) => `::ffff:${address}`)
  const address = fc.oneof(v4, v6Full, v6Compressed, v6Mapped)

  const reference = (text: string) => {
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text)
    if (!ipaddr.IPv6.isValid(text)) return undefined
    const parsed = ipaddr.IPv6.parse(text)
    return parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed
  }

  it('parses the addresses ipaddr.js parses, to the same bytes', () => {
    fc.assert(
      fc.property(fc.oneof(address, fc.stringMatching(/^[0-9a-f:.]{0,20}$/)), (text) => {
        const ours = addressOf(text)
        const theirs = reference(text)
        expect(ours === undefined).toBe(theirs === undefined)
        if (ours === undefined || theirs === undefined) return
        if ('v4' in ours) expect(theirs.kind()).toBe('ipv4')
        const bytes =
          'v4' in ours
            ? [ours.v4 >>> 24, (ours.v4 >>> 16) & 255, (ours.v4 >>> 8) & 255, ours.v4 & 255]
            : ours.v6.flatMap((g) => [g >> 8, g & 255])
        expect(bytes).toEqual(theirs.toByteArray())
      }),
      { numRuns: 5000 },
    )
  })

  it('matches a CIDR exactly when ipaddr.js does', () => {
    fc.assert(
      fc.property(address, address, fc.nat(128), (text, networkText, rawBits) => {
        const network = reference(networkText)!
        const bits = rawBits % (network.kind() === 'ipv4' ? 33 : 129)
        const mine = addressOf(text)!
        const theirs = reference(text)!
        const expected = theirs.kind() === network.kind() && theirs.match(network, bits)
        expect(inCidr(mine, parseCidr(`${networkText}/${bits}`)!)).toBe(expected)
        // an address always matches its own prefix
        expect(inCidr(mine, parseCidr(`${text}/${bits % ('v4' in mine ? 33 : 129)}`)!)).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })
})
