// Unleash (client-specification; unleash-client-node src/strategy/util.ts and src/variant.ts):
//   rollout: enabled iff rollout > 0 and murmur3(utf8(groupId + ':' + id), 0) % 100 + 1 <= rollout
//   variant: target = murmur3(utf8(groupId + ':' + id), 86028157) % totalWeight + 1; the first
//            variant with weight > 0 whose cumulative weight reaches target wins
// `rollout` is the experiment's exposure (a percentage, as in Unleash's gradual rollout).
import { murmur3 } from '../murmur3.js'
import { hex, type CompatLayout } from './index.js'

const VARIANT_SEED = 86028157

export function unleashLayout(groupId: string, weights: readonly number[], rollout: number): CompatLayout {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const rolloutValue = (key: string) => (murmur3(`${groupId}:${key}`) % 100) + 1
  return {
    hash: (key) => murmur3(`${groupId}:${key}`, VARIANT_SEED),
    choose(key, hash) {
      if (rollout < 100 && !(rollout > 0 && rolloutValue(key) <= rollout)) return -1
      const target = (hash % total) + 1
      let counter = 0
      for (let index = 0; index < weights.length; index++) {
        if (weights[index] === 0) continue
        counter += weights[index]!
        if (counter >= target) return index
      }
      return -1
    },
    explain: (key, hash) =>
      `Unleash: ${rollout < 100 ? `rollout value murmur3(${JSON.stringify(`${groupId}:${key}`)}) % 100 + 1 = ${rolloutValue(key)} against rollout ${rollout}; ` : ''}` +
      `variant hash murmur3(${JSON.stringify(`${groupId}:${key}`)}, ${VARIANT_SEED}) = ${hex(hash)}, target hash % ${total} + 1 = ${(hash % total) + 1} of ${total}`,
  }
}
