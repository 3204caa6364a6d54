// Typed names: a config written in code types the splitter's experiment and variant names; a config known only
// at run time keeps them `string`. Checked by `pnpm --filter @splitlane/core typecheck`; a wrong line fails it.
import { describe, expectTypeOf, it } from 'vitest'
import { createSplitter, defineConfig } from '../src/index.js'
import type { Assignment, Assignments, NamesOf, SplitlaneConfig, Splitter } from '../src/index.js'

const config = defineConfig({
  version: 1,
  experiments: {
    checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] },
    model: { variants: [{ name: 'small' }, { name: 'large' }, { name: 'huge' }] },
  },
})
const splitter = createSplitter({ config })

describe('a config written in code', () => {
  it('types the names', () => {
    expectTypeOf<NamesOf<typeof config>>().toEqualTypeOf<{ checkout: 'stable' | 'canary'; model: 'small' | 'large' | 'huge' }>()
    expectTypeOf(splitter).toEqualTypeOf<Splitter<{ checkout: 'stable' | 'canary'; model: 'small' | 'large' | 'huge' }>>()
  })

  it('makes assign and variantOf return that experiment’s variants', () => {
    expectTypeOf(splitter.assign('checkout').variant).toEqualTypeOf<'stable' | 'canary' | null>()
    expectTypeOf(splitter.assign('model').experiment).toEqualTypeOf<'model'>()
    expectTypeOf(splitter.variantOf('model', 'user-1')).toEqualTypeOf<'small' | 'large' | 'huge' | null>()
    expectTypeOf(splitter.assignAll().checkout).toEqualTypeOf<Assignment<'checkout', 'stable' | 'canary'>>()
  })

  it('rejects unknown experiments and variants at compile time', () => {
    // @ts-expect-error "chekout" is no experiment of the config
    splitter.assign('chekout')
    // @ts-expect-error "canry" is no variant of checkout
    if (splitter.assign('checkout').variant === 'canry') return
    // @ts-expect-error "search" is no experiment of the config
    splitter.variantOf('search', 'user-1')
  })
})

describe('a config known only at run time', () => {
  it('keeps every name a string', () => {
    const loaded: SplitlaneConfig = JSON.parse('{"version":1,"experiments":{}}')
    const untyped = createSplitter({ config: loaded })
    expectTypeOf(untyped.assign('anything').variant).toEqualTypeOf<string | null>()
    expectTypeOf(untyped.variantOf('anything', 'k')).toEqualTypeOf<string | null>()
    expectTypeOf(untyped.assignAll()).toEqualTypeOf<Assignments>()
    const fromAny = createSplitter({ config: JSON.parse('{}') })
    expectTypeOf(fromAny.assign('anything').variant).toEqualTypeOf<string | null>()
  })

  it('a typed splitter is still a Splitter, so code written for any config accepts it', () => {
    const takesAny = (s: Splitter) => s.assign('checkout')
    expectTypeOf(takesAny).toBeCallableWith(splitter)
  })
})
