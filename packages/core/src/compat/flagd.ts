// flagd's `fractional` operation (flagd-testbed @fractional-v2; @openfeature/flagd-core 4.x):
//   hash   = murmur3_x86_32(utf8(seed + targetingKey), 0), unsigned; seed defaults to the flag key
//   bucket = (hash * totalWeight) >> 32
//   the first variant whose cumulative weight exceeds bucket wins
// bucket < W(i) exactly when hash < ceil(2^32 * W(i) / W), so the bounds are computed once.
import { murmur3 } from '../murmur3.js'
import { firstBelow, hex, type CompatLayout } from './index.js'

export function flagdLayout(seed: string, weights: readonly number[]): CompatLayout {
  const total = BigInt(weights.reduce((sum, weight) => sum + weight, 0))
  let cumulative = 0n
  const bounds = weights.map((weight) => {
    cumulative += BigInt(weight)
    return total === 0n ? 0 : Number(((cumulative << 32n) + total - 1n) / total)
  })
  return {
    hash: (key) => murmur3(seed + key),
    choose: (_key, hash) => firstBelow(bounds, hash),
    explain: (key, hash) =>
      `flagd fractional: murmur3(${JSON.stringify(seed + key)}) = ${hex(hash)}, bucket (hash × ${total}) >> 32 = ${(BigInt(hash) * total) >> 32n} of ${total}`,
  }
}
