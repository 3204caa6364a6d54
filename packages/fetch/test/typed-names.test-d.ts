// `byVariant` checks handler names against a splitter built from a config written in code; with a config known
// only at run time every name is a string. Checked by `pnpm --filter @splitlane/fetch typecheck`.
import { createSplitter, defineConfig, type Assignment, type SplitlaneConfig } from '@splitlane/core'
import type { FetchHandler } from '../src/index.js'
import { describe, expectTypeOf, it } from 'vitest'
import { byVariant, type SplitlaneAssignments } from '../src/index.js'

const send: FetchHandler = () => new Response('ok')
const config = defineConfig({
  version: 1,
  experiments: {
    checkout: { variants: [{ name: 'stable' }, { name: 'canary' }] },
    search: { variants: [{ name: 'bm25' }, { name: 'vector' }] },
  },
})
const splitter = createSplitter({ config })

describe('fetch byVariant with typed names', () => {
  it('accepts the experiment’s variants and the control role', () => {
    expectTypeOf(byVariant({ control: send, canary: send }, send, { splitter, experiment: 'checkout' })).toEqualTypeOf<FetchHandler>()
  })

  it('rejects a variant of another experiment, a misspelling, and an unknown experiment', () => {
    // @ts-expect-error "vector" is a variant of search, not of checkout
    byVariant({ vector: send }, send, { splitter, experiment: 'checkout' })
    // @ts-expect-error "canry" is no variant of checkout
    byVariant({ canry: send }, send, { splitter, experiment: 'checkout' })
    // @ts-expect-error "chekout" is no experiment of the config
    byVariant({ canary: send }, send, { splitter, experiment: 'chekout' })
  })

  it('keeps names strings for a config loaded at run time, and assignmentsOf untyped without a registered config', () => {
    const loaded: SplitlaneConfig = JSON.parse('{"version":1,"experiments":{}}')
    byVariant({ anything: send }, send, { splitter: createSplitter({ config: loaded }), experiment: 'whatever' })
    expectTypeOf<SplitlaneAssignments>().toEqualTypeOf<Readonly<Record<string, Assignment>>>()
  })
})
