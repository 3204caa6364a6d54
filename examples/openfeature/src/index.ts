// splitlane behind OpenFeature: flags evaluated through the standard API, conversions tracked into the
// per-variant metrics, and the canary judged on them.
import { OpenFeature } from '@openfeature/server-sdk'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { analyzeCanary } from '@splitlane/core/analysis'
import { createOpenFeatureProvider } from '@splitlane/openfeature'

const splitter = createSplitter({
  config: {
    version: 1,
    revision: 1,
    experiments: {
      'checkout-button': {
        variants: [
          { name: 'stable', value: 'Buy' },
          { name: 'canary', value: 'Buy now' },
        ],
        rules: [{ id: 'staff', when: { attribute: 'email', op: 'endsWith', values: ['@example.com'] }, variant: 'canary' }],
      },
    },
  },
})
const recorder = createMetricsRecorder()
await OpenFeature.setProviderAndWait(createOpenFeatureProvider({ splitter, recorder }))
const client = OpenFeature.getClient()

const details = await client.getStringDetails('checkout-button', 'Buy', { targetingKey: 'user-42' })
console.log(
  `user-42 sees "${details.value}" (variant ${details.variant}, reason ${details.reason}, bucket ${String(details.flagMetadata.bucket)})`,
)
const staff = await client.getStringDetails('checkout-button', 'Buy', { targetingKey: 'ann', email: 'ann@example.com' })
console.log(`ann sees "${staff.value}" (reason ${staff.reason}, rule ${String(staff.flagMetadata.ruleId)})`)
const missing = await client.getStringDetails('chekout-button', 'Buy', { targetingKey: 'user-42' })
console.log(`a typo answers the default "${missing.value}" with ${missing.errorCode}`)

// 4,000 visitors; the canary converts at 12%, stable at 8% (a deterministic stand-in for real users).
for (let index = 0; index < 4_000; index++) {
  const context = { targetingKey: `visitor-${index}` }
  const label = await client.getStringValue('checkout-button', 'Buy', context)
  if (index % 100 < (label === 'Buy now' ? 12 : 8)) client.track('conversion', context, { value: 30 })
}
const window = recorder.snapshot()
for (const [variant, stats] of Object.entries(window.experiments['checkout-button']!))
  console.log(`${variant}: ${stats.requests} evaluations, ${stats.events.conversion?.count ?? 0} conversions`)
const verdict = analyzeCanary(window, {
  experiment: 'checkout-button',
  baseline: 'stable',
  canary: 'canary',
  events: { conversion: { direction: 'decrease' } },
})
console.log(`canary verdict: ${verdict.verdict} (score ${verdict.score})`)
for (const line of verdict.explanation) console.log(`  ${line}`)
await OpenFeature.close()
