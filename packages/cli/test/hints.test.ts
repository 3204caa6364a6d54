import type { ConfigIssue } from '@splitlane/core'
import { safeParseConfig } from '@splitlane/core'
import { safeParseRolloutPlan } from '@splitlane/core/rollout'
import { describe, expect, it } from 'vitest'
import { fixFor } from '../src/hints.js'

/** The issues core reports, with every message's English replaced: hints must not depend on it. */
const reworded = (issues: readonly ConfigIssue[]) => issues.map((issue) => ({ ...issue, message: 'reworded in a later release' }))

describe('fix hints are selected by issue code and params, not by message', () => {
  it('keeps the hint for an unknown key (with and without a suggestion), a bad weight and a two-value enum', () => {
    const config = safeParseConfig({
      version: 1,
      experiments: {
        checkout: {
          variants: [
            { name: 'a', weight: 0.5 },
            { name: 'b', wieght: 1 },
          ],
          mode: 'sticki',
          zzzzzz: 1,
        },
      },
    })
    expect(config.success).toBe(false)
    if (config.success) return
    const fixes = Object.fromEntries(reworded(config.error.issues).map((issue) => [issue.path, fixFor(issue)]))
    expect(fixes).toMatchObject({
      'experiments.checkout.variants[0].weight': 'use integer weights 0..1000000; they are relative, e.g. 95 and 5 (0 means none)',
      'experiments.checkout.variants[1].wieght': 'rename "wieght" to "weight"',
      'experiments.checkout.mode': 'use "sticky" or "random"',
      'experiments.checkout.zzzzzz': 'remove "zzzzzz"; see docs/reference/config.md for the keys allowed here',
    })
    const plan = safeParseRolloutPlan({ experiment: 'e', canary: 'c', baseline: 'b', steps: [{ pause: { duration: 1 } }] })
    expect(plan.success).toBe(false)
    if (!plan.success) expect(reworded(plan.error.issues).map(fixFor)).toEqual(['rename "duration" to "durationMs"'])
  })
})

describe("fix hints for core's own checks are selected by their stable code", () => {
  it('keeps every hint when the messages are reworded', () => {
    const config = safeParseConfig({
      version: 1,
      layers: { main: {} },
      segments: { a: { segment: 'b' }, b: { segment: 'a' } },
      experiments: {
        checkout: {
          variants: [{ name: 'a' }, { name: 'a' }, { name: 'c', weight: 0 }],
          control: 'z',
          overrides: { u1: 'q' },
          rules: [
            { id: 'r', when: { segment: 'nope' }, variant: 'q' },
            { id: 'r', when: { attribute: 'n', op: 'gte', values: [1], caseInsensitive: true }, weights: { a: 0 } },
          ],
          layer: { name: 'main', slice: [0, 60] },
        },
        search: { variants: [{ name: 'x' }], mode: 'random', layer: { name: 'main', slice: [50, 100] }, bucketBy: 'userId' },
        other: { variants: [{ name: 'x', weight: 0 }], layer: 'missing' },
      },
    })
    expect(config.success).toBe(false)
    if (config.success) return
    const fixes = reworded(config.error.issues).map((issue) => `${issue.code} ${issue.path}: ${fixFor(issue)}`)
    expect([...fixes].sort()).toEqual(
      [
        'duplicate_variant experiments.checkout.variants[1].name: rename one of the variants named "a"; names must be unique within an experiment',
        'unknown_control experiments.checkout.control: set control to one of the variants: a, c (or leave it out: the first variant is control)',
        'unknown_variant experiments.checkout.overrides.u1: use one of the variants: a, c, or add a variant named "q"',
        'unknown_variant experiments.checkout.rules[0].variant: use one of the variants: a, c, or add a variant named "q"',
        'duplicate_rule_id experiments.checkout.rules[1].id: give each rule its own id; "r" is used twice',
        'no_positive_weight experiments.checkout.rules[1].weights: give at least one variant in the rule a weight above 0, or pin it with variant: <name>',
        'case_insensitive_not_string experiments.checkout.rules[1].when.caseInsensitive: remove caseInsensitive, or use a string operator (equals, contains, startsWith, ...)',
        'all_weights_zero experiments.other.variants: give one variant a weight above 0, or set enabled: false to serve control to everyone',
        'unknown_segment experiments.checkout.rules[0].when.segment: define segments.nope at the top level, or use one of the segments: a, b',
        'segment_cycle segments.a: break the cycle: one of these segments must not refer back',
        'unknown_layer experiments.other.layer: define layers.missing at the top level, or use one of the layers: main',
        'layer_not_sticky experiments.search.mode: remove mode: random, or take the experiment out of the layer',
        'layer_bucket_by_differs experiments.search.bucketBy: give every experiment in the layer the same bucketBy',
        'slice_overlap experiments.search.layer: make the slices disjoint, e.g. [0, 50] and [50, 100]',
      ].sort(),
    )
    for (const issue of config.error.issues) expect(issue.code).not.toBe('custom')
  })
})
