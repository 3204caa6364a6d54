import { describe, expect, it } from 'vitest'
import { addScope } from './scopes.js'

describe('addScope', () => {
  it('records the first scope as a string, later ones in a set, and refuses a repeat', () => {
    const first = addScope(undefined, '*')
    expect(first).toBe('*')
    expect(addScope(first, '*')).toBeUndefined()
    expect(addScope(null, 'a,b')).toBe('a,b')
    const both = addScope(first, 'checkout')
    expect(both).toEqual(new Set(['*', 'checkout']))
    expect(addScope(both, 'checkout')).toBeUndefined()
    expect(addScope(both, '*')).toBeUndefined()
    expect(addScope(both, 'search')).toEqual(new Set(['*', 'checkout', 'search']))
  })
})
