// Compatibility layouts: another system's bucketing reproduced exactly (its hash input, seed,
// bucket arithmetic and variant order), so an experiment moved from it keeps every unit in the
// variant it had. Each system is one small file; docs/migrating.md maps their configs.
import type { CompatLayoutConfig, ParsedExperiment } from '../types.js'
import { flagdLayout } from './flagd.js'
import { growthbookLayout } from './growthbook.js'
import { optimizelyLayout } from './optimizely.js'
import { unleashLayout } from './unleash.js'

/** A compiled compatibility layout. */
export interface CompatLayout {
  /** The system's 32-bit hash of the unit key (unsigned): the assignment's `hash`. */
  hash(key: string): number
  /** The index of the variant the system gives this unit, or -1 when it leaves the unit out. */
  choose(key: string, hash: number): number
  /** What the system computed, for `explain`. */
  explain(key: string, hash: number): string
}

/** Compiles `layout` for the experiment's variants and weights (rules bring their own weights). */
export function compileCompat(layout: CompatLayoutConfig, experiment: ParsedExperiment): CompatLayout {
  const weights = experiment.variants.map((variant) => variant.weight)
  switch (layout.compat) {
    case 'flagd':
      return flagdLayout(layout.seed ?? experiment.salt, weights)
    case 'unleash':
      return unleashLayout(layout.groupId ?? experiment.salt, weights, experiment.exposure)
    case 'optimizely':
      return optimizelyLayout(layout.experimentId, weights)
    case 'growthbook':
      return growthbookLayout(layout.seed ?? experiment.salt, layout.hashVersion ?? 1, weights, experiment.exposure)
  }
}

/** The first index whose cumulative bound is above `position`, or -1. */
export function firstBelow(bounds: readonly number[], position: number): number {
  for (let index = 0; index < bounds.length; index++) if (position < bounds[index]!) return index
  return -1
}

export const hex = (hash: number): string => `0x${hash.toString(16).padStart(8, '0')}`
