// Deterministic unit keys shared by every case. Cases cycle through a set with `(at + 1) & KEY_MASK`.

export const KEY_COUNT = 4096
export const KEY_MASK = KEY_COUNT - 1

/** mulberry32: a tiny seeded PRNG, so every run hashes the very same keys. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const random = prng(0x5eed1a9e)
const hex = (length: number): string => {
  let text = ''
  for (let i = 0; i < length; i++) text += Math.floor(random() * 16).toString(16)
  return text
}
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`

/** 20-40 characters of ASCII, shaped like real unit ids. */
const asciiShapes: (() => string)[] = [
  () => `user-${hex(24)}`, // 29
  () => uuid(), // 36
  () => `acct_${hex(16)}`, // 21
  () => `session:${hex(8)}-${hex(14)}`, // 31
  () => `device.${hex(32)}`, // 39
]

/** Accented Latin (one-byte strings in V8), Cyrillic, CJK and an astral emoji (two-byte strings). */
const nonAsciiShapes: (() => string)[] = [
  () => `usuário-${hex(16)}`,
  () => `josé.garcía+${hex(10)}@exämple.com`,
  () => `用户-${hex(20)}`,
  () => `ユーザー_${uuid()}`,
  () => `пользователь-${hex(12)}`,
  () => `🙂-${hex(24)}`,
]

/**
 * Keys built by concatenation are V8 cons strings; keys read off a request are flat. A JSON round
 * trip flattens them, so no case pays (or saves) a one-off flattening.
 */
const flat = (keys: string[]): readonly string[] => JSON.parse(JSON.stringify(keys)) as string[]

const generate = (count: number, pick: (index: number) => () => string): readonly string[] =>
  flat(Array.from({ length: count }, (_, index) => pick(index)()))

const asciiShape = (index: number) => asciiShapes[index % asciiShapes.length]!
const nonAsciiShape = (index: number) => nonAsciiShapes[index % nonAsciiShapes.length]!

/** The common set: 90% ASCII, every tenth key non-ASCII. */
export const mixedKeys = generate(KEY_COUNT, (index) => (index % 10 === 9 ? nonAsciiShape(index) : asciiShape(index)))
export const asciiKeys = generate(KEY_COUNT, asciiShape)
export const nonAsciiKeys = generate(KEY_COUNT, nonAsciiShape)

export function isAscii(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return false
  return true
}
