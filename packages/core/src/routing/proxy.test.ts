import { describe, expect, it } from 'vitest'
import { ErrorCode, type SplitlaneError } from '../errors.js'
import { createMetricsRecorder } from '../metrics/recorder.js'
import { createHttpSplit } from '../request/split.js'
import { createSplitter } from '../splitter.js'
import type { SplitlaneConfig } from '../types.js'
import { createProxyRouting, forwardHeaders, withoutPrefix, type ProxyRoutingOptions, type UpstreamCall } from './proxy.js'

describe('withoutPrefix: the one prefix rule of every proxy', () => {
  it.each([
    ['/api/x?y=1', '/api', '/x?y=1'],
    ['/api', '/api', '/'],
    ['/api?q', '/api', '/?q'],
    ['/api/', '/api', '/'],
    ['/apix/y', '/api', '/apix/y'], // not under /api: left alone (the Fetch proxy built `http://up:3001x/y`)
    ['/apix/y', '/api/', '/apix/y'],
    ['/api/x', '/api/', '/x'],
    ['/other', '/api', '/other'],
    ['/x', undefined, '/x'],
    ['/x', '', '/x'],
  ])('%s without %s is %s', (url, prefix, expected) => {
    expect(withoutPrefix(url, prefix)).toBe(expected)
  })
})

const config: SplitlaneConfig = {
  version: 1,
  experiments: {
    api: {
      control: 'stable',
      variants: [
        { name: 'stable', weight: 0, value: { url: 'http://stable.internal/v1', headers: { 'x-key': '${KEY}' } } },
        { name: 'canary', weight: 1, value: 'http://canary.internal' },
        { name: 'broken', weight: 0, value: { url: 'http://broken.internal', headers: { 'x-key': '${constructor}' } } },
      ],
      overrides: { 'qa-broken': 'broken' },
    },
  },
}

function setup(options: ProxyRoutingOptions = {}, key = 'someone') {
  const errors: SplitlaneError[] = []
  const metrics = createMetricsRecorder()
  const http = createHttpSplit<null>({
    splitter: createSplitter({ config }),
    userIdHeader: 'x-user-id',
    cookie: false, // the key comes from the header
    metrics,
    onError: (error) => errors.push(error),
  })
  const split = http.begin(null, { header: (name) => (name === 'x-user-id' ? key : undefined), ip: () => undefined, path: () => '/' })
  const routing = createProxyRouting({ experiment: 'api', ...options })
  const stats = () => metrics.snapshot().experiments['api']?.[split.assignments['api']!.variant!]
  return { split, routing, errors, stats }
}

const get = { method: 'GET', url: '/api/items?page=2', hasBody: false }
const env = { KEY: 'k' }

describe('createProxyRouting', () => {
  it('builds the call: prefix rule, upstream path, headers with env filled in and the variant header', () => {
    const { split, routing } = setup({ stripPrefix: '/api' })
    const call = routing.start(split, get, env, 0) as UpstreamCall
    expect(call).toMatchObject({
      send: true,
      url: 'http://canary.internal/items?page=2',
      origin: 'http://canary.internal',
      timeoutMs: 30_000,
    })
    expect(call.headers).toEqual([['splitlane-variant', 'api=canary']])
    expect(forwardHeaders({ host: 'me', connection: 'x-hop', 'x-hop': '1', te: 'trailers', accept: '*/*' }, call)).toEqual({
      accept: '*/*',
      'splitlane-variant': 'api=canary',
    })
  })

  it('sends a variant whose upstream is unusable (${constructor} in a header) to control, as a fallback, and reports why', () => {
    const { split, routing, errors, stats } = setup({}, 'qa-broken')
    const call = routing.start(split, get, env, 0) as UpstreamCall
    expect(call.url).toBe('http://stable.internal/v1/api/items?page=2')
    expect(call.attempt.fallback).toMatchObject({
      reason: 'upstream_invalid',
      from: 'broken',
      to: 'stable',
      code: ErrorCode.UpstreamEnvMissing,
    })
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.UpstreamEnvMissing])
    split.finish({ status: 200 })
    expect(stats()).toMatchObject({ fallbacks: 0 }) // an overridden unit is counted apart (excluded)
  })

  it('answers a failure 502 or a timeout 504, reported, when there is no fallback', () => {
    const { split, routing, errors } = setup()
    const call = routing.start(split, get, env, 0) as UpstreamCall
    expect(routing.settle(split, call, get, { error: 'failed' }, 0)).toMatchObject({
      send: false,
      status: 502,
      code: ErrorCode.UpstreamFailed,
    })
    expect(routing.settle(split, call, get, { error: 'timeout' }, 0)).toMatchObject({
      send: false,
      status: 504,
      code: ErrorCode.UpstreamTimeout,
    })
    expect(routing.settle(split, call, get, { status: 503 }, 0)).toBeNull() // a 5xx answer passes on
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.UpstreamFailed, ErrorCode.UpstreamTimeout])
  })

  it('with fallback: retries a GET on control after a network error (counted as an error and a fallback of the variant), never a request with a body', () => {
    const { split, routing, stats } = setup({ fallback: { breaker: false } })
    const call = routing.start(split, get, env, 0) as UpstreamCall
    const retry = routing.settle(split, call, get, { error: 'failed' }, 0) as UpstreamCall
    expect(retry).toMatchObject({ send: true, url: 'http://stable.internal/v1/api/items?page=2' })
    expect(retry.headers).toEqual([
      ['x-key', 'k'],
      ['splitlane-variant', 'api=canary'],
    ])
    expect(retry.attempt.fallback).toMatchObject({ reason: 'network_error', from: 'canary', to: 'stable' })
    expect(routing.settle(split, retry, get, { status: 200 }, 0)).toBeNull()
    split.finish({ status: 200 })
    expect(stats()).toMatchObject({ requests: 1, errors: 1, fallbacks: 1 })

    const post = { method: 'PUT', url: '/x', hasBody: true }
    const other = setup({ fallback: { breaker: false } })
    const first = other.routing.start(other.split, post, env, 0) as UpstreamCall
    expect(other.routing.settle(other.split, first, post, { error: 'failed' }, 0)).toMatchObject({ status: 502 })
  })

  it('with fallback: the breaker opens after repeated failures and sends the variant to control until a probe succeeds', () => {
    const routing = createProxyRouting({ experiment: 'api', fallback: { breaker: { failureThreshold: 2, coolDownMs: 1000 } } })
    const run = (now: number, outcome: { status: number } | { error: 'failed' }) => {
      const { split } = setup()
      const call = routing.start(split, get, env, now) as UpstreamCall
      const step = routing.settle(split, call, { ...get, hasBody: true }, outcome, now)
      if (step === null) routing.bodyEnded(split, call, 'complete', now) // a passed-on response counts once its body is whole
      return call.attempt
    }
    expect(run(0, { error: 'failed' }).variant).toBe('canary')
    expect(run(1, { status: 500 }).variant).toBe('canary')
    expect(run(2, { status: 200 })).toMatchObject({ variant: 'stable', fallback: { reason: 'circuit_open' } })
    expect(run(1002, { status: 200 }).variant).toBe('canary') // the probe
    expect(run(1003, { status: 200 }).variant).toBe('canary')
  })

  it('an upstream that breaks mid-body is reported and counted as an error of the variant', () => {
    const { split, routing, errors, stats } = setup({ timeoutMs: 200 })
    const call = routing.start(split, get, env, 0) as UpstreamCall
    expect(routing.settle(split, call, get, { status: 200 }, 0)).toBeNull()
    routing.bodyEnded(split, call, 'timeout', 0)
    split.finish({ status: 200 })
    expect(stats()).toMatchObject({ requests: 1, errors: 1 })
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.UpstreamTimeout])
    expect(errors[0]!.message).toMatch(/sent nothing for 200 ms; while sending its response's body; the client's connection was closed/)
  })

  it('with fallback: an upstream that always breaks mid-body opens its circuit; a client that leaves gives no verdict', () => {
    const routing = createProxyRouting({ experiment: 'api', fallback: { breaker: { failureThreshold: 2, coolDownMs: 1000 } } })
    const run = (now: number, end: 'complete' | 'failed' | 'client_gone' | null) => {
      const { split } = setup()
      const call = routing.start(split, get, env, now) as UpstreamCall
      if (routing.settle(split, call, get, { status: 200 }, now) === null && end !== null) routing.bodyEnded(split, call, end, now)
      return call.attempt
    }
    expect(run(0, 'failed').variant).toBe('canary') // headers 200, then a reset: not a success
    expect(run(1, 'failed').variant).toBe('canary')
    expect(run(2, 'complete')).toMatchObject({ variant: 'stable', fallback: { reason: 'circuit_open' } })
    expect(run(1002, 'client_gone').variant).toBe('canary') // the probe, abandoned by its client: no verdict
    expect(run(1003, 'complete').variant).toBe('canary') // so the next call may probe again
    expect(run(1004, 'complete').variant).toBe('canary') // and that whole body closed the circuit
    expect(run(1005, null).variant).toBe('canary')
  })

  it('answers 502 when the request was not split, or no variant has a usable upstream', () => {
    expect(createProxyRouting().start(undefined, get, env, 0)).toMatchObject({ send: false, status: 502 })
    const { split, routing, errors } = setup({ experiment: 'nope' })
    expect(routing.start(split, get, env, 0)).toMatchObject({ send: false, status: 502, code: ErrorCode.UpstreamInvalid })
    expect(errors).toHaveLength(1)
  })
})
