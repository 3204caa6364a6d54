// Optimizely (javascript-sdk lib/core/bucketer):
//   bucket = floor(murmur3_x86_32(utf8(bucketingId + experimentId), 1) / 2^32 * 10000)
//   traffic allocation: variant i owns [endOfRange(i-1), endOfRange(i)); a bucket at or above the
//   last endOfRange is outside the experiment. Weights are the range sizes, in 1/10000.
import { murmur3 } from '../murmur3.js'
import { firstBelow, hex, type CompatLayout } from './index.js'

const bucketOf = (hash: number) => Math.floor((hash / 4294967296) * 10000)

export function optimizelyLayout(experimentId: string, weights: readonly number[]): CompatLayout {
  let endOfRange = 0
  const bounds = weights.map((weight) => (endOfRange += weight))
  return {
    hash: (key) => murmur3(key + experimentId, 1),
    choose: (_key, hash) => firstBelow(bounds, bucketOf(hash)),
    explain: (key, hash) =>
      `Optimizely: murmur3(${JSON.stringify(key + experimentId)}, 1) = ${hex(hash)}, bucket ${bucketOf(hash)} of 10000 against traffic allocation ending at ${bounds.join(', ')}`,
  }
}
