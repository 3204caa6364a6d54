import { OpenFeature, ProviderEvents, ProviderStatus, type EventDetails, type Hook } from '@openfeature/server-sdk'
import { SpanEventHook, SpanHook } from '@openfeature/open-telemetry-hooks'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { createUrlConfigSource } from '@splitlane/sources'
import { installOtel } from '@splitlane/test-utils'
import { trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'
import { flagsConfig, startConfigServer, within } from '../test/helpers.js'
import { createOpenFeatureProvider } from './index.js'

let domainCount = 0
/** A provider under its own domain of the real server SDK singleton. */
async function clientFor(provider: ReturnType<typeof createOpenFeatureProvider>) {
  const domain = `test-${++domainCount}`
  await OpenFeature.setProviderAndWait(domain, provider)
  return OpenFeature.getClient(domain)
}

afterEach(async () => {
  await OpenFeature.clearProviders()
  OpenFeature.clearHooks()
})

describe('server provider: evaluations', () => {
  const splitter = () => createSplitter({ config: flagsConfig(7) })

  it('answers every value type with its variant, reason and splitlane evidence', async () => {
    const client = await clientFor(createOpenFeatureProvider({ splitter: splitter() }))
    const boolean = await client.getBooleanDetails('new-checkout', false, { targetingKey: 'user-1' })
    expect(boolean).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', flagKey: 'new-checkout' })
    expect(boolean.errorCode).toBeUndefined()

    const number = await client.getNumberDetails('page-size', 0, { targetingKey: 'user-1' })
    const expected = splitter().assign('page-size', { key: 'user-1' })
    expect(number).toMatchObject({ value: expected.value, variant: expected.variant, reason: 'SPLIT' })
    expect(number.flagMetadata).toEqual({
      splitlaneReason: 'split',
      inExperiment: true,
      keyFrom: 'key',
      hash: expected.hash,
      bucket: expected.bucket,
      revision: 7,
    })

    const object = await client.getObjectDetails('layout', {}, { targetingKey: 'user-2' })
    expect(object.reason).toBe('SPLIT')
    expect([
      { columns: 3, dense: false },
      { columns: 1, dense: true },
    ]).toContainEqual(object.value)

    const string = await client.getStringDetails('banner', 'x', { targetingKey: 'user-3', plan: 'beta' })
    expect(string).toMatchObject({ value: 'Hello there', variant: 'long', reason: 'TARGETING_MATCH' })
    expect(string.flagMetadata).toMatchObject({ ruleId: 'beta-long', splitlaneReason: 'rule' })
  })

  it('maps the kill switch, exposure and a variant without value; unknown flags and wrong types are errors', async () => {
    const client = await clientFor(createOpenFeatureProvider({ splitter: splitter() }))
    expect(await client.getStringDetails('old-search', 'none', { targetingKey: 'u' })).toMatchObject({
      value: 'v1',
      variant: 'legacy',
      reason: 'DISABLED',
    })
    expect(await client.getStringDetails('slow-rollout', 'none', { targetingKey: 'u' })).toMatchObject({
      value: 'stable',
      reason: 'DEFAULT',
    })
    const named = await client.getStringDetails('checkout', 'none', { targetingKey: 'u' })
    expect(named.value).toBe(named.variant) // no value: string evaluations answer the variant's name
    expect(['stable', 'canary']).toContain(named.value)

    const missing = await client.getBooleanDetails('chekout', true, { targetingKey: 'u' })
    expect(missing).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' })
    expect(missing.errorMessage).toContain('no experiment named "chekout"')

    const mismatch = await client.getNumberDetails('banner', 5, { targetingKey: 'u' })
    expect(mismatch).toMatchObject({ value: 5, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' })
    expect(mismatch.errorMessage).toMatch(/has a string value, not a number/)
    expect(await client.getObjectDetails('checkout', { a: 1 }, { targetingKey: 'u' })).toMatchObject({
      value: { a: 1 },
      errorCode: 'TYPE_MISMATCH',
    })
  })

  it('asks for a targetingKey only where the experiment splits by key', async () => {
    const client = await clientFor(createOpenFeatureProvider({ splitter: splitter() }))
    const split = await client.getNumberDetails('page-size', 1, {})
    expect(split).toMatchObject({ value: 1, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' })
    expect(split.errorMessage).toContain('set targetingKey')
    // One variant holds all the weight: the answer does not depend on a key.
    expect(await client.getBooleanDetails('new-checkout', false, {})).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' })
    // A rule decides without a key.
    expect(await client.getStringDetails('banner', 'x', { plan: 'beta' })).toMatchObject({
      value: 'Hello there',
      reason: 'TARGETING_MATCH',
    })
    // bucketBy takes the key from another field of the context.
    const bucketed = createSplitter({
      config: { version: 1, experiments: { e: { bucketBy: 'userId', variants: [{ name: 'a' }, { name: 'b' }] } } },
    })
    const byAttribute = await (
      await clientFor(createOpenFeatureProvider({ splitter: bucketed }))
    ).getStringDetails('e', 'x', { userId: 'u-9' })
    expect(byAttribute).toMatchObject({ reason: 'SPLIT', value: bucketed.variantOf('e', 'u-9') })
    expect(byAttribute.flagMetadata.keyFrom).toBe('userId')
  })

  it('runs hooks with the details, including the OpenTelemetry span hooks on a real SDK', async () => {
    const otel = installOtel()
    try {
      const seen: string[] = []
      const hook: Hook = {
        before: (hookContext) => void seen.push(`before ${hookContext.flagKey} ${String(hookContext.context.targetingKey)}`),
        after: (_hookContext, details) =>
          void seen.push(`after ${details.variant} ${details.reason} ${String(details.flagMetadata.revision)}`),
        error: (_hookContext, error) => void seen.push(`error ${(error as { code?: string }).code}`),
        finally: (_hookContext, details) => void seen.push(`finally ${JSON.stringify(details.value)}`),
      }
      const client = await clientFor(createOpenFeatureProvider({ splitter: splitter() }))
      client.addHooks(hook, new SpanHook())
      await client.getBooleanValue('new-checkout', false, { targetingKey: 'user-1' })
      await client.getBooleanValue('nope', false, { targetingKey: 'user-1' })
      expect(seen).toEqual([
        'before new-checkout user-1',
        'after on STATIC 7',
        'finally true',
        'before nope user-1',
        'error FLAG_NOT_FOUND',
        'finally false',
      ])

      const spans = otel.spans.getFinishedSpans()
      const evaluated = spans.find((span) => span.attributes['feature_flag.key'] === 'new-checkout')!
      expect(evaluated.attributes).toMatchObject({
        'feature_flag.result.variant': 'on',
        'feature_flag.result.reason': 'static',
        'feature_flag.provider.name': 'splitlane',
      })
      const failed = spans.find((span) => span.attributes['feature_flag.key'] === 'nope')!
      expect(failed.attributes['error.type']).toBe('flag_not_found')

      // SpanEventHook: one event on the active span per evaluation.
      client.addHooks(new SpanEventHook())
      await trace.getTracer('test').startActiveSpan('request', async (span) => {
        await client.getStringValue('banner', 'x', { targetingKey: 'user-3', plan: 'beta' })
        span.end()
      })
      const request = otel.spans.getFinishedSpans().find((span) => span.name === 'request')!
      expect(request.events.map((event) => event.attributes?.['feature_flag.result.variant'])).toEqual(['long'])
    } finally {
      await otel.shutdown()
    }
  })
})

describe('server provider: tracking', () => {
  it('counts evaluations as requests and track() as business events of every experiment the unit is split in', async () => {
    const splitter = createSplitter({ config: flagsConfig(1) })
    const recorder = createMetricsRecorder()
    const client = await clientFor(createOpenFeatureProvider({ splitter, recorder }))
    const units = Array.from({ length: 40 }, (_, index) => `user-${index}`)
    for (const key of units) await client.getNumberValue('page-size', 0, { targetingKey: key })
    for (const key of units.slice(0, 10)) client.track('conversion', { targetingKey: key }, { value: 20 })
    client.track('conversion', {}, { value: 20 }) // no key: in no split, not counted

    const window = recorder.snapshot()
    const pageSize = window.experiments['page-size']!
    const requests = Object.values(pageSize).reduce((sum, stats) => sum + stats.requests, 0)
    const conversions = Object.values(pageSize).reduce((sum, stats) => sum + (stats.events.conversion?.count ?? 0), 0)
    const revenue = Object.values(pageSize).reduce((sum, stats) => sum + (stats.events.conversion?.sum ?? 0), 0)
    expect({ requests, conversions, revenue }).toEqual({ requests: 40, conversions: 10, revenue: 200 })
    // Each conversion is credited to the variant that unit was served.
    for (const key of units.slice(0, 10))
      expect(pageSize[splitter.variantOf('page-size', key)!]!.events.conversion!.count).toBeGreaterThan(0)
    // Experiments the unit is split in but did not evaluate get the event too (the unit's variant is deterministic).
    expect(Object.values(window.experiments.layout!).reduce((sum, stats) => sum + stats.events.conversion!.count, 0)).toBe(10)
    // A 100% variant counts (a finished ramp is still judged); a unit outside the split (disabled, not exposed) does not.
    expect(window.experiments['new-checkout']!.on!.events.conversion!.count).toBe(10)
    expect(window.experiments['old-search']).toBeUndefined()
    expect(window.experiments['slow-rollout']).toBeUndefined()
  })

  it('with recordEvaluations: false, only track() reaches the recorder', async () => {
    const recorder = createMetricsRecorder()
    const client = await clientFor(
      createOpenFeatureProvider({ splitter: createSplitter({ config: flagsConfig(1) }), recorder, recordEvaluations: false }),
    )
    await client.getNumberValue('page-size', 0, { targetingKey: 'u' })
    client.track('signup', { targetingKey: 'u' })
    const stats = Object.values(recorder.snapshot().experiments['page-size']!)[0]!
    expect({ requests: stats.requests, signup: stats.events.signup }).toEqual({ requests: 0, signup: { count: 1, sum: 1 } })
  })
})

describe('server provider: events from a live config source', () => {
  it('is ready when the source loaded, announces changed flags, goes stale on a bad document and recovers', async () => {
    const server = await startConfigServer(flagsConfig(1))
    try {
      const splitter = createSplitter({
        config: { version: 1, experiments: { 'new-checkout': { variants: [{ name: 'off', value: false }] } } },
      })
      let source: ReturnType<typeof createUrlConfigSource> | undefined
      const provider = createOpenFeatureProvider({
        splitter,
        source: (callbacks) => (source = createUrlConfigSource({ url: server.url, splitter, intervalMs: 3_600_000, ...callbacks })),
      })
      const domain = `events-${++domainCount}`
      const client = OpenFeature.getClient(domain)
      const events: string[] = []
      const record = (name: string) => (details?: EventDetails) =>
        void events.push(
          `${name}${details?.flagsChanged ? ` ${(details.flagsChanged as string[]).join(',')}` : ''}${details?.message ? `: ${details.message}` : ''}`,
        )
      client.addHandler(ProviderEvents.Ready, record('ready'))
      client.addHandler(ProviderEvents.ConfigurationChanged, record('changed'))
      client.addHandler(ProviderEvents.Stale, record('stale'))
      client.addHandler(ProviderEvents.Error, record('error'))
      await within(OpenFeature.setProviderAndWait(domain, provider), 5_000)
      expect(client.providerStatus).toBe(ProviderStatus.READY)
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'u' })).toBe(true) // the served config, not the bootstrap one

      server.state.document = {
        ...flagsConfig(2),
        experiments: { ...flagsConfig(2).experiments, 'page-size': { variants: [{ name: 'huge', value: 500 }] } },
      }
      await source!.refresh()
      expect(await client.getNumberValue('page-size', 0, { targetingKey: 'u' })).toBe(500)

      server.state.document = '{"version": 1, "experiments": {"page-size": {"variants": [{"name": "x", "weight": -1}]}}}'
      await source!.refresh()
      expect(client.providerStatus).toBe(ProviderStatus.STALE)
      expect(await client.getNumberValue('page-size', 0, { targetingKey: 'u' })).toBe(500) // still the last good config

      server.state.status = 503
      await source!.refresh() // a second failure while stale: no second event
      server.state.status = 200
      server.state.document = flagsConfig(2) // page-size differs from the last good document: an update
      await source!.refresh()
      expect(client.providerStatus).toBe(ProviderStatus.READY)

      // An update by another path (a rollout driver, a test) is announced at the next evaluation.
      splitter.update({ ...flagsConfig(3), experiments: { ...flagsConfig(3).experiments, checkout: { variants: [{ name: 'canary' }] } } })
      await client.getBooleanValue('new-checkout', false, { targetingKey: 'u' })
      await new Promise((resolve) => setImmediate(resolve))
      expect(events).toEqual([
        'ready',
        'changed page-size',
        expect.stringMatching(/^stale: Invalid splitlane config[^]*experiments\.page-size\.variants\[0\]\.weight/),
        'ready: the config source recovered',
        'changed page-size',
        'changed checkout',
      ])
    } finally {
      await server.close()
    }
  })

  it('reports PROVIDER_ERROR when the first load fails, and READY once the source serves a good document', async () => {
    const server = await startConfigServer(flagsConfig(1))
    server.state.status = 500
    try {
      const splitter = createSplitter({ config: flagsConfig(0) })
      let source: ReturnType<typeof createUrlConfigSource> | undefined
      const provider = createOpenFeatureProvider({
        splitter,
        source: (callbacks) => (source = createUrlConfigSource({ url: server.url, splitter, intervalMs: 3_600_000, ...callbacks })),
      })
      const domain = `error-${++domainCount}`
      const client = OpenFeature.getClient(domain)
      const errors: string[] = []
      client.addHandler(ProviderEvents.Error, (details) => void errors.push(details?.message ?? ''))
      await expect(OpenFeature.setProviderAndWait(domain, provider)).rejects.toThrow(
        /no config from http:\/\/127\.0\.0\.1:\d+\/splitlane\.json yet: .*HTTP 500/,
      )
      expect(client.providerStatus).toBe(ProviderStatus.ERROR)
      expect(errors[0]).toMatch(/HTTP 500/)
      // Evaluations still answer, from the config the splitter was created with.
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'u' })).toBe(true)

      server.state.status = 200
      server.state.document = flagsConfig(2)
      await source!.refresh()
      expect(client.providerStatus).toBe(ProviderStatus.READY)
    } finally {
      await server.close()
    }
  })

  it('closes the source on shutdown', async () => {
    const server = await startConfigServer(flagsConfig(1))
    try {
      const splitter = createSplitter({ config: flagsConfig(0) })
      const provider = createOpenFeatureProvider({
        splitter,
        source: (callbacks) => createUrlConfigSource({ url: server.url, splitter, intervalMs: 20, ...callbacks }),
      })
      await clientFor(provider)
      await OpenFeature.clearProviders()
      const requests = server.state.requests
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(server.state.requests).toBe(requests)
    } finally {
      await server.close()
    }
  })
})
