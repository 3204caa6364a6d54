// The one decision pipeline, step against step: for every pair of steps set up to fire on the same
// unit, the step that comes first in the documented order decides, and records itself as the source.
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { mintOverrideToken, withInherited } from './override-tokens.js'
import { createSplitter } from './splitter.js'
import type { Context, ExperimentConfig, SplitlaneConfig, VerifiedOverrides } from './types.js'

const sign = (message: string) => createHmac('sha256', 'pipeline-secret').update(message).digest()
const KEY = 'unit-1'

interface Setup {
  config: SplitlaneConfig
  experiment: ExperimentConfig & { variants: ExperimentConfig['variants'] }
  token: boolean
  baggage: boolean
  attributes: Record<string, unknown>
}

/** Each step, in the documented order, with what makes it fire and what it records when it decides. */
const STEPS: readonly { name: string; arrange: (setup: Setup) => void; decides: { reason: string; source?: string; variant: string } }[] = [
  { name: 'kill switch', arrange: (s) => (s.experiment.enabled = false), decides: { reason: 'disabled', variant: 'control' } },
  {
    name: 'config overrides',
    arrange: (s) => (s.experiment.overrides = { [KEY]: 'config-pick' }),
    decides: { reason: 'override', source: 'config', variant: 'config-pick' },
  },
  { name: 'override tokens', arrange: (s) => (s.token = true), decides: { reason: 'override', source: 'token', variant: 'token-pick' } },
  {
    name: 'inherited baggage',
    arrange: (s) => (s.baggage = true),
    decides: { reason: 'override', source: 'baggage', variant: 'baggage-pick' },
  },
  { name: 'holdout', arrange: (s) => (s.config.holdout = 100), decides: { reason: 'holdout', variant: 'control' } },
  {
    name: 'layer',
    arrange: (s) => {
      s.config.layers = { main: {} }
      s.experiment.layer = { name: 'main', slice: [0, 0] }
    },
    decides: { reason: 'outside_layer', variant: 'control' },
  },
  {
    name: 'targeting rules',
    arrange: (s) => {
      s.experiment.rules = [{ id: 'beta', when: { attribute: 'plan', op: 'in', values: ['beta'] }, variant: 'rule-pick' }]
      s.attributes['plan'] = 'beta'
    },
    decides: { reason: 'rule', variant: 'rule-pick' },
  },
  { name: 'exposure', arrange: (s) => (s.experiment.exposure = 0), decides: { reason: 'not_exposed', variant: 'control' } },
  // only split-pick has weight: the split decides with reason static
  { name: 'split', arrange: () => {}, decides: { reason: 'static', variant: 'split-pick' } },
]

function arranged(steps: readonly (typeof STEPS)[number][]): { config: SplitlaneConfig; context: () => Context } {
  const experiment = {
    variants: ['control', 'config-pick', 'token-pick', 'baggage-pick', 'rule-pick', 'split-pick'].map((name) => ({
      name,
      weight: name === 'split-pick' ? 1 : 0,
    })),
    control: 'control',
  }
  const config: SplitlaneConfig = { version: 1, experiments: { checkout: experiment } }
  const setup: Setup = { config, experiment, token: false, baggage: false, attributes: {} }
  for (const step of steps) step.arrange(setup)
  if (setup.experiment.layer !== undefined && setup.experiment.layer !== null && typeof setup.experiment.layer === 'object')
    setup.experiment.layer = { name: 'main', slice: [0, 0.0001] } // a sliver: unit-1 sits outside it
  return {
    config,
    context: () => {
      const splitter = createSplitter({ config, overrideTokens: { sign } })
      let overrides: VerifiedOverrides | undefined
      if (setup.token) {
        const token = mintOverrideToken({ experiment: 'checkout', variant: 'token-pick', expiresAt: 4_000_000_000_000, sign })
        overrides = splitter.verifyOverrides(token, 0) as VerifiedOverrides
      }
      if (setup.baggage) overrides = withInherited(overrides, { checkout: 'baggage-pick' })
      return { key: KEY, attributes: setup.attributes, ...(overrides && { overrides }) }
    },
  }
}

describe('the decision pipeline, every pair of steps', () => {
  const pairs = STEPS.flatMap((first, index) => STEPS.slice(index + 1).map((second) => [first, second] as const))

  it.each(pairs.map(([first, second]) => [first.name, second.name, first, second] as const))('%s beats %s', (_a, _b, first, second) => {
    const { config, context } = arranged([first, second])
    const splitter = createSplitter({ config, overrideTokens: { sign } })
    const ctx = context()
    for (const assignment of [splitter.assign('checkout', ctx), splitter.assignAll(ctx)['checkout']!]) {
      expect({ reason: assignment.reason, source: assignment.source, variant: assignment.variant }).toEqual({
        source: undefined,
        ...first.decides,
      })
      if (assignment.reason === 'override') expect(splitter.explain(assignment)).toContain(EXPLAINED[assignment.source!])
    }
  })

  it('each step alone decides as documented', () => {
    for (const step of STEPS) {
      const { config, context } = arranged([step])
      const assignment = createSplitter({ config, overrideTokens: { sign } }).assign('checkout', context())
      expect({ reason: assignment.reason, source: assignment.source, variant: assignment.variant }).toEqual({
        source: undefined,
        ...step.decides,
      })
    }
  })
})

const EXPLAINED: Record<string, string> = {
  config: 'listed in overrides',
  token: 'a signed override token',
  baggage: 'W3C baggage',
}

describe('explain renders the recorded source, never a guess', () => {
  it('an inherited assignment is explained as baggage, not as a token', () => {
    const config: SplitlaneConfig = { version: 1, experiments: { checkout: { variants: [{ name: 'control' }, { name: 'canary' }] } } }
    const splitter = createSplitter({ config })
    const assignment = splitter.assign('checkout', { key: 'u', overrides: withInherited(undefined, { checkout: 'canary' }) })
    expect(assignment).toMatchObject({ variant: 'canary', reason: 'override', source: 'baggage', inExperiment: false })
    expect(splitter.explain(assignment)).toMatch(/W3C baggage/)
    expect(splitter.explain(assignment)).not.toMatch(/token/)
  })

  it('an inherited name that is not an own entry, or not a variant, is ignored', () => {
    const config: SplitlaneConfig = { version: 1, experiments: { constructor: { variants: [{ name: 'control' }, { name: 'canary' }] } } }
    const splitter = createSplitter({ config })
    const assignment = splitter.assign('constructor', { key: 'u', overrides: withInherited(undefined, { other: 'canary' }) })
    expect(assignment.reason).toBe('split')
    const unknown = splitter.assign('constructor', { key: 'u', overrides: withInherited(undefined, { constructor: 'nope' }) })
    expect(unknown.reason).toBe('split')
  })
})
