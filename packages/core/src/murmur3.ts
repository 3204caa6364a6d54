// MurmurHash3 x86_32 over the UTF-8 bytes of a string (hash spec v1, docs/reference/hashing.md).
// ASCII is hashed straight from char codes, four at a time; from the first other character on, the
// UTF-8 bytes are streamed into the hash (lone surrogates as U+FFFD, as TextEncoder does). Internally hashes are
// int32 (`hashText`, `mixInt`): V8 returns those without boxing, so the hot path allocates nothing.

const C1 = 0xcc9e2d51
const C2 = 0x1b873593

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, C2)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function mixTail(h: number, k: number): number {
  k = Math.imul(k, C1)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, C2)
  return h ^ k
}

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** MurmurHash3 x86_32 of the UTF-8 bytes of `text`, as a signed int32. */
export function hashText(text: string, seed: number): number {
  // Hash the char codes as bytes while they are ASCII (one byte each, so the block boundaries agree
  // with UTF-8's); at the first block holding another character, carry on from there in UTF-8.
  let h = seed | 0
  const length = text.length
  const blockEnd = length & ~3
  let i = 0
  for (; i < blockEnd; i += 4) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = text.charCodeAt(i + 2)
    const c3 = text.charCodeAt(i + 3)
    if ((c0 | c1 | c2 | c3) > 0x7f) return hashUtf8From(text, i, h)
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))
  }
  const rest = length - i
  if (rest > 0) {
    const c0 = text.charCodeAt(i)
    const c1 = rest > 1 ? text.charCodeAt(i + 1) : 0
    const c2 = rest > 2 ? text.charCodeAt(i + 2) : 0
    if ((c0 | c1 | c2) > 0x7f) return hashUtf8From(text, i, h)
    h = mixTail(h, c0 | (c1 << 8) | (c2 << 16))
  }
  return fmix(h ^ length)
}

/**
 * Continues the hash `h` of the ASCII text before `start` (a multiple of 4) over the UTF-8 bytes of
 * the rest, streamed four at a time into the block word: one pass, and no buffer for any length.
 * Lone surrogates encode as U+FFFD, as TextEncoder does.
 */
function hashUtf8From(text: string, start: number, h: number): number {
  const length = text.length
  let count = start // bytes hashed so far
  let word = 0 // the block being filled, `filled` bytes of it
  let filled = 0
  for (let i = start; i < length; i++) {
    let cp = text.charCodeAt(i)
    // The character's UTF-8 bytes, first byte lowest, and how many there are.
    let bytes: number
    let n: number
    if (cp < 0x80) {
      bytes = cp
      n = 1
    } else if (cp < 0x800) {
      bytes = 0xc0 | (cp >> 6) | ((0x80 | (cp & 0x3f)) << 8)
      n = 2
    } else {
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0
        if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00)
          i++
        } else cp = 0xfffd // a lone surrogate encodes as U+FFFD
      }
      if (cp >= 0x10000) {
        bytes = 0xf0 | (cp >> 18) | ((0x80 | ((cp >> 12) & 0x3f)) << 8) | ((0x80 | ((cp >> 6) & 0x3f)) << 16) | ((0x80 | (cp & 0x3f)) << 24)
        n = 4
      } else {
        bytes = 0xe0 | (cp >> 12) | ((0x80 | ((cp >> 6) & 0x3f)) << 8) | ((0x80 | (cp & 0x3f)) << 16)
        n = 3
      }
    }
    count += n
    for (; n > 0; n--) {
      word |= (bytes & 0xff) << (filled << 3)
      bytes >>>= 8
      if (++filled === 4) {
        h = mixBlock(h, word)
        word = 0
        filled = 0
      }
    }
  }
  if (filled > 0) h = mixTail(h, word)
  return fmix(h ^ count)
}

/**
 * MurmurHash3 x86_32 of `text` encoded as UTF-8, as an unsigned 32-bit integer.
 * `seed` is taken modulo 2^32 (ToUint32). Equal to murmurhash3js-revisited's `x86.hash32` over
 * `new TextEncoder().encode(text)` for every string.
 */
export function murmur3(text: string, seed = 0): number {
  return hashText(text, seed) >>> 0
}

/** `mix32` as a signed int32. */
export function mixInt(word: number, seed: number): number {
  return fmix(word ^ seed)
}

/**
 * MurmurHash3's 32-bit finalizer of `word XOR seed`: a bijective, fully avalanching mix of an
 * existing hash with a seed (equal to `murmur3('', word ^ seed)`). Hash spec v1 derives every
 * hash after the key's this way.
 */
export function mix32(word: number, seed: number): number {
  return fmix(word ^ seed) >>> 0
}
