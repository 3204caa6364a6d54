declare module 'murmurhash3js-revisited' {
  const murmurHash3: {
    x86: { hash32(bytes: ArrayLike<number>, seed?: number): number }
  }
  export default murmurHash3
}
