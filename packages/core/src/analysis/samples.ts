/** Observations: plain numbers, or (value, count) pairs such as a sketch's buckets. */
export type Samples = readonly number[] | readonly { readonly value: number; readonly count: number }[]

/** Distinct values in increasing order with their multiplicities. NaN and infinities are dropped. */
export interface Grouped {
  readonly values: number[]
  readonly counts: number[]
  readonly total: number
}

export function groupSamples(samples: Samples): Grouped {
  const pairs: { value: number; count: number }[] = []
  for (const sample of samples as readonly (number | { value: number; count: number })[]) {
    const pair = typeof sample === 'number' ? { value: sample, count: 1 } : sample
    if (Number.isFinite(pair.value) && pair.count > 0) pairs.push({ value: pair.value, count: pair.count })
  }
  pairs.sort((a, b) => a.value - b.value)
  const values: number[] = []
  const counts: number[] = []
  let total = 0
  for (const { value, count } of pairs) {
    if (values.length > 0 && values[values.length - 1] === value) counts[counts.length - 1]! += count
    else {
      values.push(value)
      counts.push(count)
    }
    total += count
  }
  return { values, counts, total }
}

export function groupedMean(grouped: Grouped): number {
  let sum = 0
  grouped.values.forEach((value, index) => (sum += value * grouped.counts[index]!))
  return grouped.total === 0 ? NaN : sum / grouped.total
}

/** The value of 0-based rank `rank` (fractional ranks interpolate linearly). */
export function groupedQuantile(grouped: Grouped, q: number): number {
  if (grouped.total === 0) return NaN
  const position = q * (grouped.total - 1)
  const at = (rank: number) => {
    let seen = 0
    for (let i = 0; i < grouped.values.length; i++) {
      seen += grouped.counts[i]!
      if (seen > rank) return grouped.values[i]!
    }
    return grouped.values[grouped.values.length - 1]!
  }
  const low = Math.floor(position)
  const fraction = position - low
  return fraction === 0 ? at(low) : at(low) * (1 - fraction) + at(low + 1) * fraction
}
