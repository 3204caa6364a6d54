import { OpenFeature, ProviderEvents, type EventDetails } from '@openfeature/web-sdk'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { afterEach, describe, expect, it } from 'vitest'
import { flagsConfig } from '../test/helpers.js'
import { createOpenFeatureWebProvider } from './web.js'

afterEach(async () => {
  await OpenFeature.clearProviders()
})

describe('web provider (real @openfeature/web-sdk)', () => {
  it('evaluates synchronously in the static context, follows context changes, tracks and announces updates', async () => {
    const splitter = createSplitter({ config: flagsConfig(4) })
    const recorder = createMetricsRecorder()
    await OpenFeature.setProviderAndWait('web', createOpenFeatureWebProvider({ splitter, recorder }))
    await OpenFeature.setContext('web', { targetingKey: 'user-1', plan: 'beta' })
    const client = OpenFeature.getClient('web')

    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' })
    expect(client.getStringDetails('banner', 'x')).toMatchObject({ value: 'Hello there', reason: 'TARGETING_MATCH' })
    const size = client.getNumberDetails('page-size', 0)
    expect(size).toMatchObject({ value: splitter.assign('page-size', { key: 'user-1' }).value, reason: 'SPLIT' })
    expect(client.getNumberDetails('chekout', 3)).toMatchObject({ value: 3, errorCode: 'FLAG_NOT_FOUND' })
    expect(client.getBooleanDetails('banner', false)).toMatchObject({ value: false, errorCode: 'TYPE_MISMATCH' })

    await OpenFeature.setContext('web', { plan: 'free' })
    expect(client.getNumberDetails('page-size', 0)).toMatchObject({ value: 0, errorCode: 'TARGETING_KEY_MISSING' })
    await OpenFeature.setContext('web', { targetingKey: 'user-1' })

    client.track('conversion', { value: 9 })
    const variant = splitter.variantOf('page-size', 'user-1')!
    expect(recorder.snapshot().experiments['page-size']![variant]!.events.conversion).toEqual({ count: 1, sum: 9 })

    const changed: EventDetails[] = []
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => void changed.push(details!))
    splitter.update({
      ...flagsConfig(5),
      experiments: { ...flagsConfig(5).experiments, 'page-size': { variants: [{ name: 'one', value: 1 }] } },
    })
    expect(client.getNumberValue('page-size', 0)).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(changed.map((details) => details.flagsChanged)).toEqual([['page-size']])
  })
})
