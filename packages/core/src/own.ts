/**
 * `record[key]` when the record has it as its own property, else `undefined`. Every lookup keyed by
 * a name from config or a request goes through this (or a Map): `{}.constructor` is a function,
 * and a name like `constructor` must not reach it.
 */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record !== null && record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}
