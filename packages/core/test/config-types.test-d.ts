// The config types users read (types.ts, with a doc comment on every field) pinned to the zod schema that
// validates configs (config/schema.ts), so the two cannot drift apart. The written types stay: a type derived
// from the schema hovers as a wall of zod generics and carries none of the field docs. Checked by
// `pnpm --filter @splitlane/core typecheck` (tsc over test/); a wrong expectation fails it.
import type * as z from 'zod/mini'
import { describe, expectTypeOf, it } from 'vitest'
import type { configSchema, experimentSchema, variantSchema } from '../src/config/schema.js'
import type { conditionSchema, experimentLayerSchema, holdoutSchema, layerSchema, ruleSchema } from '../src/config/targeting-schema.js'
import type {
  Condition,
  ExperimentConfig,
  ExperimentLayerConfig,
  HoldoutConfig,
  JsonValue,
  LayerConfig,
  ParsedRule,
  RuleConfig,
  SplitlaneConfig,
  VariantConfig,
} from '../src/types.js'

/** Written types are readonly (so `as const` configs fit); the schema's input is not: compare without it. */
type Writable<T> = JsonValue extends T // a variant's `value`
  ? z.core.util.JSONType | Exclude<T, JsonValue>
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> } // arrays and tuples too
    : T
/** Every key of every member of a union (the schema has one object type for every form of a rule or condition). */
type KeysOf<U> = U extends unknown ? keyof U : never
type In<S extends z.ZodMiniType> = z.input<S>
/** Plain assignability (expect-type's `toExtend` loses its way in these unions). */
type Extends<A, B> = [A] extends [B] ? true : false

describe('the written config types and the schema agree', () => {
  it('whatever the written types allow, the schema accepts (statically)', () => {
    expectTypeOf<Extends<Writable<SplitlaneConfig>, In<typeof configSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<ExperimentConfig>, In<typeof experimentSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<VariantConfig>, In<typeof variantSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<RuleConfig>, In<typeof ruleSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<Condition>, In<typeof conditionSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<ExperimentLayerConfig>, In<typeof experimentLayerSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<HoldoutConfig>, In<typeof holdoutSchema>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<Writable<LayerConfig>, In<typeof layerSchema>>>().toEqualTypeOf<true>()
  })

  it('whatever the schema accepts, the written types allow', () => {
    // Rules and conditions aside: their schemas are one flat object whose refinement admits exactly one form;
    // the written types spell the forms as a union. Their keys are compared below.
    type Config = In<typeof configSchema>
    type Experiment = In<typeof experimentSchema>
    expectTypeOf<
      Extends<Omit<Config, 'experiments' | 'segments'>, Omit<SplitlaneConfig, 'experiments' | 'segments'>>
    >().toEqualTypeOf<true>()
    expectTypeOf<Extends<Omit<Experiment, 'rules'>, Omit<ExperimentConfig, 'rules'>>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<In<typeof variantSchema>, VariantConfig>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<In<typeof experimentLayerSchema>, ExperimentLayerConfig>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<In<typeof holdoutSchema>, HoldoutConfig>>().toEqualTypeOf<true>()
    expectTypeOf<Extends<In<typeof layerSchema>, LayerConfig>>().toEqualTypeOf<true>()
    expectTypeOf<keyof Config>().toEqualTypeOf<keyof SplitlaneConfig>()
    expectTypeOf<keyof Experiment>().toEqualTypeOf<keyof ExperimentConfig>()
    expectTypeOf<keyof In<typeof ruleSchema>>().toEqualTypeOf<KeysOf<RuleConfig>>()
    expectTypeOf<keyof In<typeof conditionSchema>>().toEqualTypeOf<KeysOf<Condition>>()
  })

  it('revision is a string or a number, never null, as docs/reference/config.md says', () => {
    expectTypeOf<SplitlaneConfig['revision']>().toEqualTypeOf<string | number | undefined>()
    expectTypeOf<In<typeof configSchema>['revision']>().toEqualTypeOf<string | number | undefined>()
  })

  it('what the schema outputs is what parseConfig builds on, with no cast', () => {
    expectTypeOf<z.output<typeof conditionSchema>>().toEqualTypeOf<Condition>()
    expectTypeOf<z.output<typeof ruleSchema>>().toEqualTypeOf<ParsedRule>()
  })
})
