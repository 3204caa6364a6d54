// MurmurHash3 x86_32 over the UTF-8 bytes of a string (hash spec v1, docs/reference/hashing.md).
// ASCII is hashed straight from char codes, four at a time; other text is encoded to UTF-8 into
// a reused scratch buffer (lone surrogates as U+FFFD, as TextEncoder does). Internally hashes are
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
  // Hash the char codes as bytes, which is right while all are ASCII; check that once at the end
  // (cheaper than per block) and start over through UTF-8 when one was not.
  let h = seed | 0
  let seen = 0
  const length = text.length
  const blockEnd = length & ~3
  let i = 0
  for (; i < blockEnd; i += 4) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = text.charCodeAt(i + 2)
    const c3 = text.charCodeAt(i + 3)
    seen |= c0 | c1 | c2 | c3
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))
  }
  const rest = length - i
  if (rest > 0) {
    const c0 = text.charCodeAt(i)
    const c1 = rest > 1 ? text.charCodeAt(i + 1) : 0
    const c2 = rest > 2 ? text.charCodeAt(i + 2) : 0
    seen |= c0 | c1 | c2
    h = mixTail(h, c0 | (c1 << 8) | (c2 << 16))
  }
  return seen > 0x7f ? hashUtf8(text, seed) : fmix(h ^ length)
}

// Reused for keys up to 1,024 UTF-16 units; a longer key gets a buffer of its own, so one huge key
// does not keep megabytes alive.
const scratch = new Uint8Array(3 * 1024)

/** UTF-8 of `text` into `out` (at least 3 bytes per UTF-16 unit); returns the byte count. */
function encodeUtf8(text: string, out: Uint8Array): number {
  const length = text.length
  let n = 0
  for (let i = 0; i < length; i++) {
    let cp = text.charCodeAt(i)
    if (cp < 0x80) {
      out[n++] = cp
    } else if (cp < 0x800) {
      out[n++] = 0xc0 | (cp >> 6)
      out[n++] = 0x80 | (cp & 0x3f)
    } else {
      if (cp >= 0xd800 && cp <= 0xdfff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0
        if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00)
          i++
          out[n++] = 0xf0 | (cp >> 18)
          out[n++] = 0x80 | ((cp >> 12) & 0x3f)
          out[n++] = 0x80 | ((cp >> 6) & 0x3f)
          out[n++] = 0x80 | (cp & 0x3f)
          continue
        }
        cp = 0xfffd // a lone surrogate encodes as U+FFFD
      }
      out[n++] = 0xe0 | (cp >> 12)
      out[n++] = 0x80 | ((cp >> 6) & 0x3f)
      out[n++] = 0x80 | (cp & 0x3f)
    }
  }
  return n
}

function hashUtf8(text: string, seed: number): number {
  const bytes = text.length * 3 <= scratch.length ? scratch : new Uint8Array(text.length * 3)
  const count = encodeUtf8(text, bytes)
  let h = seed | 0
  const blockEnd = count & ~3
  let i = 0
  for (; i < blockEnd; i += 4) h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
  const rest = count - i
  if (rest > 0) h = mixTail(h, bytes[i]! | (rest > 1 ? bytes[i + 1]! << 8 : 0) | (rest > 2 ? bytes[i + 2]! << 16 : 0))
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
