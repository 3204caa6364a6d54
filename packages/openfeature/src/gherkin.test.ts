// OpenFeature's published evaluation scenarios (test/gherkin/evaluation_v2.feature, vendored from
// open-feature/spec) run against the real server SDK and the splitlane provider, parsed by @cucumber/gherkin.
import { readFileSync } from 'node:fs'
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin'
import { IdGenerator, type Pickle } from '@cucumber/messages'
import { OpenFeature, type EvaluationContext, type EvaluationDetails, type FlagValue } from '@openfeature/server-sdk'
import { createSplitter } from '@splitlane/core'
import { afterAll, describe, expect, it } from 'vitest'
import { evaluationFlags } from '../test/gherkin/flags.js'
import { createOpenFeatureProvider } from './index.js'

const text = readFileSync(new URL('../test/gherkin/evaluation_v2.feature', import.meta.url), 'utf8')
const document = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher()).parse(text)
const pickles = compile(document, 'evaluation_v2.feature', IdGenerator.incrementing())

/** Scenarios not run, and why (each a scenario name, or a name and the example's key). */
const SKIPPED: Record<string, string> = {
  'Provider not ready error': 'tests the SDK short-circuit before initialize; the provider events tests cover readiness',
  'Provider in fatal state error': 'splitlane never reports PROVIDER_FATAL: a config source can always recover',
  'Provider status accessibility':
    'provider states are the SDK state machine; src/server.test.ts drives READY/ERROR/STALE from a real source',
  'Flag metadata in evaluation details': 'splitlane configs hold no free-form flag metadata; flagMetadata carries the assignment evidence',
  'CACHED reason': 'splitlane never caches: every evaluation is computed',
  'Evaluation options with hooks': 'hook order is SDK behaviour; hooks are tested in src/server.test.ts',
  'Evaluation context immutability': 'SDK behaviour (context and details handling), not the provider',
  'DISABLED reason object-disabled-flag':
    "splitlane's kill switch serves control's value, not the caller's default ({\"a\": 1} is no variant)",
}

type FlagType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object'
const parse = (type: FlagType, raw: string): FlagValue =>
  type === 'Boolean'
    ? raw === 'true'
    : type === 'Integer' || type === 'Float'
      ? Number(raw)
      : type === 'Object'
        ? (JSON.parse(raw.replaceAll('\\"', '"')) as FlagValue)
        : raw

const splitter = createSplitter({ config: evaluationFlags })
const counts = { run: 0, skipped: 0 }

async function runScenario(pickle: Pickle): Promise<void> {
  const domain = `gherkin-${pickle.id}`
  let flag = { type: 'String' as FlagType, key: '', fallback: '' as FlagValue }
  const context: EvaluationContext = {}
  let details: EvaluationDetails<FlagValue> | undefined
  const steps: [RegExp, (...groups: string[]) => void | Promise<void>][] = [
    [/^a stable provider$/, () => OpenFeature.setProviderAndWait(domain, createOpenFeatureProvider({ splitter }))],
    [
      /^an? (\w+)-flag with key "([^"]*)" and a fallback value "(.*)"$/,
      (type, key, raw) => void (flag = { type: type as FlagType, key, fallback: parse(type as FlagType, raw) }),
    ],
    [
      /^a context containing a key "(\w+)", with type "(\w+)" and with value "(.*)"$/,
      (key, type, raw) => void (context[key] = parse(type as FlagType, raw) as string),
    ],
    [/^a context containing a key "(\w+)" with null value$/, (key) => void (context[key] = null)],
    [
      /^the flag was evaluated with details( asynchronously)?$/,
      async () => {
        const client = OpenFeature.getClient(domain)
        const { type, key, fallback } = flag
        if (type === 'Boolean') details = await client.getBooleanDetails(key, fallback as boolean, context)
        else if (type === 'String') details = await client.getStringDetails(key, fallback as string, context)
        else if (type === 'Object') details = await client.getObjectDetails(key, fallback, context)
        else details = await client.getNumberDetails(key, fallback as number, context)
      },
    ],
    [/^the resolved details value should be "(.*)"$/, (raw) => expect(details!.value).toEqual(parse(flag.type, raw))],
    [/^the reason should be "(\w+)"$/, (reason) => expect(details!.reason).toBe(reason)],
    [/^the error-code should be "(\w+)"$/, (code) => expect(details!.errorCode).toBe(code)],
    [/^the variant should be "(.*)"$/, (variant) => expect(details!.variant).toBe(variant)],
    [/^the flag key should be "(.*)"$/, (key) => expect(details!.flagKey).toBe(key)],
    [/^the evaluation should complete without blocking$/, () => expect(details).toBeDefined()],
  ]
  for (const step of pickle.steps) {
    const match = steps.map(([pattern, run]) => [pattern.exec(step.text), run] as const).find(([found]) => found !== null)
    if (match === undefined) throw new Error(`no step definition for: ${step.text}`)
    await match[1](...match[0]!.slice(1))
  }
}

describe('OpenFeature evaluation_v2.feature (open-feature/spec)', () => {
  afterAll(async () => {
    await OpenFeature.clearProviders()
    console.log(`gherkin: ${pickles.length} scenarios, ${counts.run} run, ${counts.skipped} skipped`)
    expect(counts.run + counts.skipped).toBe(pickles.length)
  })
  for (const pickle of pickles) {
    const key = /key "([^"]+)"/.exec(pickle.steps.map((step) => step.text).join(' '))?.[1]
    const reason = SKIPPED[pickle.name] ?? SKIPPED[`${pickle.name} ${key}`]
    const title = `${pickle.name}${key ? ` [${key}]` : ''}`
    if (reason !== undefined) {
      counts.skipped++
      it.skip(`${title} (skipped: ${reason})`, () => {})
    } else
      it(title, async () => {
        counts.run++
        await runScenario(pickle)
      })
  }
})
