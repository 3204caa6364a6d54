import type { ConfigIssue } from '@splitlane/core'
import { safeParseConfig, safeParseRolloutPlan } from '@splitlane/core'
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
