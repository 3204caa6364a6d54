// The benchmark cases. Every case does the same work per op, one evaluation of one 80/10/10
// experiment for one key (except assignAll: one call over 1,000 experiments), over the same keys.
// Each case spells out its own loop so that its call site sees one target. The murmur3 and
// variantOf loops are shared by their three key sets, as one process sees mixed keys in production.
import { once } from 'node:events'
import { GrowthBookClient } from '@growthbook/growthbook'
import { FlagdCore } from '@openfeature/flagd-core'
import { createSplitter, murmur3, type Assignment, type SplitlaneConfig } from '@splitlane/core'
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client'
import type { Case } from './harness.js'
import { KEY_MASK, asciiKeys, mixedKeys, nonAsciiKeys } from './keys.js'
import { targetingCases } from './targeting-cases.js'

export const EXPERIMENT = 'checkout'
export const SPLIT = [
  { name: 'v1', share: 0.8 },
  { name: 'v2', share: 0.1 },
  { name: 'v3', share: 0.1 },
] as const
export const ASSIGN_ALL_EXPERIMENTS = 1000

const splitlaneVariants = SPLIT.map(({ name, share }) => ({ name, weight: share * 100 }))

// ---------------------------------------------------------------------------------- splitlane

function murmur3Case(id: string, name: string, keys: readonly string[]): Case {
  let at = 0
  return {
    id,
    name,
    kind: 'baseline',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        sink = (sink + murmur3(keys[at]!)) | 0
        at = (at + 1) & KEY_MASK
      }
      return sink
    },
  }
}

function splitlaneCases(): Case[] {
  const config: SplitlaneConfig = { version: 1, experiments: { [EXPERIMENT]: { variants: splitlaneVariants } } }
  const splitter = createSplitter({ config })
  const ranges = createSplitter({
    config: { version: 1, experiments: { [EXPERIMENT]: { variants: splitlaneVariants, layout: 'ranges' } } },
  })

  const variantOfCase = (id: string, name: string, keys: readonly string[]): Case => {
    let at = 0
    return {
      id,
      name,
      kind: 'splitlane',
      run(ops) {
        let sink = 0
        for (let op = 0; op < ops; op++) {
          sink = (sink + splitter.variantOf(EXPERIMENT, keys[at])!.charCodeAt(1)) | 0
          at = (at + 1) & KEY_MASK
        }
        return sink
      },
      variantOf: (key) => splitter.variantOf(EXPERIMENT, key),
    }
  }

  // Its own loop, so that the stable cases' call site keeps seeing one splitter.
  let rangesAt = 0
  const variantOfRanges: Case = {
    id: 'variantOf-ranges',
    name: '`variantOf`, `ranges` layout',
    kind: 'splitlane',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        sink = (sink + ranges.variantOf(EXPERIMENT, mixedKeys[rangesAt])!.charCodeAt(1)) | 0
        rangesAt = (rangesAt + 1) & KEY_MASK
      }
      return sink
    },
    variantOf: (key) => ranges.variantOf(EXPERIMENT, key),
  }

  let assignAt = 0
  const assign: Case = {
    id: 'assign',
    name: '`assign`',
    kind: 'splitlane',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const assignment = splitter.assign(EXPERIMENT, { key: mixedKeys[assignAt]! })
        sink = (sink + assignment.variant!.charCodeAt(1)) | 0
        assignAt = (assignAt + 1) & KEY_MASK
      }
      return sink
    },
    variantOf: (key) => splitter.assign(EXPERIMENT, { key }).variant,
  }

  // Evidence for not freezing assignments: the same call plus the Object.freeze it would need.
  let frozenAt = 0
  const assignFrozen: Case = {
    id: 'assign-frozen',
    name: '`assign` + `Object.freeze` (for comparison)',
    kind: 'splitlane',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const assignment = Object.freeze(splitter.assign(EXPERIMENT, { key: mixedKeys[frozenAt]! }))
        sink = (sink + assignment.variant!.charCodeAt(1)) | 0
        frozenAt = (frozenAt + 1) & KEY_MASK
      }
      return sink
    },
    variantOf: (key) => Object.freeze(splitter.assign(EXPERIMENT, { key })).variant,
  }

  const experimentName = (index: number) => `exp-${String(index).padStart(4, '0')}`
  const experiments = Object.fromEntries(
    Array.from({ length: ASSIGN_ALL_EXPERIMENTS }, (_, index) => [experimentName(index), { variants: splitlaneVariants }]),
  )
  const wide = createSplitter({ config: { version: 1, experiments } })
  const lastExperiment = experimentName(ASSIGN_ALL_EXPERIMENTS - 1)
  let assignAllAt = 0
  const assignAll: Case = {
    id: 'assignAll',
    name: `\`assignAll\` (${ASSIGN_ALL_EXPERIMENTS.toLocaleString('en-US')} experiments; 1 op = 1 call)`,
    kind: 'splitlane',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const all = wide.assignAll({ key: mixedKeys[assignAllAt]! })
        sink = (sink + all[lastExperiment]!.variant!.charCodeAt(1)) | 0
        assignAllAt = (assignAllAt + 1) & KEY_MASK
      }
      return sink
    },
    variantOf: (key) => wide.assignAll({ key })[lastExperiment]!.variant,
  }

  // What assignAll must return, built from precomputed values with no hashing or choosing: the floor its
  // API sets (one 12-field assignment object per experiment, two of them numbers, in one record).
  const wideNames = Object.keys(experiments)
  let resultAt = 0
  const assignAllResult: Case = {
    id: 'assignAll-result',
    name: `\`assignAll\`'s result alone: ${ASSIGN_ALL_EXPERIMENTS.toLocaleString('en-US')} assignment objects in a record, nothing hashed`,
    kind: 'splitlane',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const key = mixedKeys[resultAt]!
        const result = Object.create(null) as Record<string, Assignment>
        for (let index = 0; index < wideNames.length; index++) {
          const hash = (key.length * 2654435761 + index * 40503) >>> 0
          result[wideNames[index]!] = {
            experiment: wideNames[index]!,
            variant: 'v1',
            value: null,
            reason: 'split',
            ruleId: undefined,
            inExperiment: true,
            key,
            keyFrom: 'key',
            hash,
            bucket: hash / 2 ** 32,
            revision: null,
            errorCode: undefined,
          }
        }
        sink = (sink + result[lastExperiment]!.variant!.charCodeAt(1)) | 0
        resultAt = (resultAt + 1) & KEY_MASK
      }
      return sink
    },
  }

  return [
    variantOfCase('variantOf', '`variantOf`', mixedKeys),
    variantOfCase('variantOf-ascii', '`variantOf`, ASCII keys only', asciiKeys),
    variantOfCase('variantOf-non-ascii', '`variantOf`, non-ASCII keys only', nonAsciiKeys),
    variantOfRanges,
    assign,
    assignFrozen,
    assignAll,
    assignAllResult,
  ]
}

// -------------------------------------------------------------------------------------- peers

/** flagd's `fractional` with its default bucketing: the flag key followed by the targeting key. */
function flagdCase(): Case {
  const flagd = new FlagdCore()
  flagd.setConfigurations(
    JSON.stringify({
      flags: {
        [EXPERIMENT]: {
          state: 'ENABLED',
          variants: Object.fromEntries(SPLIT.map(({ name }) => [name, name])),
          defaultVariant: SPLIT[0].name,
          targeting: { fractional: SPLIT.map(({ name, share }) => [name, share * 100]) },
        },
      },
    }),
  )
  let at = 0
  return {
    id: 'flagd',
    name: 'flagd-core `fractional`',
    kind: 'peer',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const resolution = flagd.resolveStringEvaluation(EXPERIMENT, 'none', { targetingKey: mixedKeys[at]! })
        sink = (sink + resolution.value.charCodeAt(1)) | 0
        at = (at + 1) & KEY_MASK
      }
      return sink
    },
    variantOf(key) {
      const resolution = flagd.resolveStringEvaluation(EXPERIMENT, 'none', { targetingKey: key })
      return resolution.reason === 'TARGETING_MATCH' ? resolution.value : `(${resolution.reason})`
    },
  }
}

/** GrowthBook's multi-user client: attributes go with each call, nothing global is mutated. */
function growthbookCase(): Case {
  const growthbook = new GrowthBookClient().initSync({
    payload: {
      features: {
        [EXPERIMENT]: {
          defaultValue: 'none',
          rules: [
            {
              key: EXPERIMENT,
              variations: SPLIT.map(({ name }) => name),
              weights: SPLIT.map(({ share }) => share),
              hashAttribute: 'id',
            },
          ],
        },
      },
    },
  })
  let at = 0
  return {
    id: 'growthbook',
    name: 'GrowthBook `evalFeature`',
    kind: 'peer',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const result = growthbook.evalFeature<string>(EXPERIMENT, { attributes: { id: mixedKeys[at]! } })
        sink = (sink + result.value!.charCodeAt(1)) | 0
        at = (at + 1) & KEY_MASK
      }
      return sink
    },
    variantOf(key) {
      const result = growthbook.evalFeature<string>(EXPERIMENT, { attributes: { id: key } })
      return result.source === 'experiment' ? result.value : `(${result.source})`
    },
  }
}

/**
 * unleash-client fully offline: bootstrap data, no polling (refreshInterval 0), no metrics, no
 * backup file. Its constructor insists on a URL; 127.0.0.1:9 (discard) is never contacted.
 */
async function unleashCase(): Promise<{ benchCase: Case; close: () => void }> {
  const unleash = new Unleash({
    appName: 'splitlane-benchmarks',
    url: 'http://127.0.0.1:9/',
    refreshInterval: 0,
    disableMetrics: true,
    metricsInterval: 0,
    storageProvider: new InMemStorageProvider(),
    skipInstanceCountWarning: true,
    bootstrap: {
      data: [
        {
          name: EXPERIMENT,
          enabled: true,
          strategies: [{ name: 'default', parameters: {}, constraints: [] }],
          variants: SPLIT.map(({ name, share }) => ({ name, weight: share * 1000, stickiness: 'userId' })),
        },
      ],
    },
  })
  const problems: unknown[] = []
  unleash.on(UnleashEvents.Error, (error) => problems.push(error))
  unleash.on(UnleashEvents.Warn, (warning) => problems.push(warning))
  await once(unleash, UnleashEvents.Synchronized, { signal: AbortSignal.timeout(5000) })
  if (!unleash.isSynchronized() || problems.length > 0) throw new Error(`unleash-client did not load its bootstrap: ${String(problems)}`)
  let at = 0
  const benchCase: Case = {
    id: 'unleash',
    name: 'unleash-client `getVariant`',
    kind: 'peer',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        const variant = unleash.getVariant(EXPERIMENT, { userId: mixedKeys[at]! })
        sink = (sink + variant.name.charCodeAt(1)) | 0
        at = (at + 1) & KEY_MASK
      }
      return sink
    },
    variantOf(key) {
      const variant = unleash.getVariant(EXPERIMENT, { userId: key })
      return variant.enabled ? variant.name : `(${variant.name})`
    },
  }
  return { benchCase, close: () => unleash.destroy() }
}

// ----------------------------------------------------------------------------------- controls

/** Allocation-method controls: an empty loop (expect ~0 B/op) and one small object per op. */
function controlCases(): Case[] {
  let emptyAt = 0
  const empty: Case = {
    id: 'control-empty',
    name: 'control: empty loop',
    kind: 'control',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        sink = (sink + mixedKeys[emptyAt]!.length) | 0
        emptyAt = (emptyAt + 1) & KEY_MASK
      }
      return sink
    },
  }
  const ring: unknown[] = new Array<unknown>(1024).fill(null)
  let objectAt = 0
  const object: Case = {
    id: 'control-object',
    name: 'control: one `{ key, op }` object per op',
    kind: 'control',
    run(ops) {
      let sink = 0
      for (let op = 0; op < ops; op++) {
        ring[op & 1023] = { key: mixedKeys[objectAt], op } // stored, so it escapes and must be allocated
        sink = (sink + op) | 0
        objectAt = (objectAt + 1) & KEY_MASK
      }
      return sink
    },
  }
  return [empty, object]
}

export interface Cases {
  /** Timed and measured, in table order; the first is the bare murmur3 baseline. */
  timed: Case[]
  /** Only for checking the allocation method. */
  controls: Case[]
  close: () => void
}

export async function createCases(): Promise<Cases> {
  const unleash = await unleashCase()
  return {
    timed: [
      murmur3Case('murmur3', 'bare `murmur3`', mixedKeys),
      murmur3Case('murmur3-ascii', 'bare `murmur3`, ASCII keys only', asciiKeys),
      murmur3Case('murmur3-non-ascii', 'bare `murmur3`, non-ASCII keys only', nonAsciiKeys),
      ...splitlaneCases(),
      ...targetingCases(EXPERIMENT, splitlaneVariants),
      flagdCase(),
      growthbookCase(),
      unleash.benchCase,
    ],
    controls: controlCases(),
    close: unleash.close,
  }
}
