// A value attached to a Request or Response handed to us, as a symbol property of the object itself. A WeakMap keyed
// by every request made each young-generation GC walk its ephemeron table: scavenges took 3x as long, about 10 µs per
// request on `withSplitlane`'s path (docs/benchmarks.md). The WeakMap remains for objects that refuse new properties.
export function objectTag<O extends object, V>(description: string) {
  const key = Symbol(description)
  const refused = new WeakMap<O, V>()
  return {
    get: (object: O): V | undefined => (Object.hasOwn(object, key) ? (object as Record<symbol, V>)[key] : refused.get(object)),
    set(object: O, value: V): void {
      if (!Reflect.defineProperty(object, key, { value, configurable: true })) refused.set(object, value)
    },
  }
}
