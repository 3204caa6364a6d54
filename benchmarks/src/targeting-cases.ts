// The cost of targeting rules on the request path: the same 80/10/10 split, behind four rules
// (a segment, a CIDR, a semver range, a regex) that the context does not match, so every rule
// is evaluated and the unit falls through to the default split.
import '@splitlane/core/regex'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import type { Case } from './harness.js'
import { KEY_MASK, mixedKeys } from './keys.js'

export function targetingCases(experiment: string, variants: readonly { name: string; weight: number }[]): Case[] {
  const config: SplitlaneConfig = {
    version: 1,
    segments: { beta: { attribute: 'groups', op: 'in', values: ['beta', 'staff'] } },
    experiments: {
      [experiment]: {
        variants,
        rules: [
          { id: 'beta', when: { segment: 'beta' }, variant: 'v2' },
          { id: 'office', when: { attribute: 'ip', op: 'cidr', values: ['10.0.0.0/8', 'fd00::/8'] }, variant: 'v3' },
          { id: 'old-app', when: { attribute: 'appVersion', op: 'semverLt', values: ['2.0.0'] }, variant: 'v1' },
          { id: 'api', when: { attribute: 'path', op: 'regex', values: ['^/internal/'] }, exposure: 0 },
        ],
      },
    },
  }
  const splitter = createSplitter({ config })
  const attributes = { groups: ['customer'], ip: '192.0.2.44', appVersion: '2.4.1', path: '/checkout/cart' }
  let at = 0
  return [
    {
      id: 'assign-rules',
      name: '`assign`, 4 rules evaluated, none matching',
      kind: 'splitlane',
      run(ops) {
        let sink = 0
        for (let op = 0; op < ops; op++) {
          const assignment = splitter.assign(experiment, { key: mixedKeys[at]!, attributes })
          sink = (sink + assignment.variant!.charCodeAt(1)) | 0
          at = (at + 1) & KEY_MASK
        }
        return sink
      },
      variantOf: (key) => splitter.assign(experiment, { key, attributes }).variant,
    },
  ]
}
