import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'

// Core is pure: the lint config must reject I/O, frameworks, OpenTelemetry, clocks and
// randomness anywhere in core's sources but src/otel.ts.
const root = new URL('../../../', import.meta.url).pathname
// Without type information: the boundary rules read imports and names only, and this keeps the
// check fast and independent of the TypeScript program.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] })

async function ruleIds(code: string, file = 'packages/core/src/splitter.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` })
  return result!.messages.map((message) => message.ruleId ?? message.message)
}

describe('core purity boundary (lint)', () => {
  it.each([
    ["import { readFileSync } from 'node:fs'\nexport const f = readFileSync", 'no-restricted-imports'],
    ["import express from 'express'\nexport const e = express", 'no-restricted-imports'],
    ["import { trace } from '@opentelemetry/api'\nexport const t = trace", 'no-restricted-imports'],
    ['export const now = () => Date.now()', 'no-restricted-properties'],
    ['export const roll = () => Math.random()', 'no-restricted-properties'],
    ['export const later = (f: () => void) => setTimeout(f, 1)', 'no-restricted-globals'],
  ])('rejects %j', async (code, rule) => {
    expect(await ruleIds(code)).toContain(rule)
  })

  it('accepts pure code', async () => {
    expect(await ruleIds('export const add = (a: number, b: number): number => a + b\n')).toEqual([])
  })

  it('exempts src/otel.ts (the one place for OpenTelemetry) and tests, nothing else', async () => {
    const restricted = async (file: string) => {
      const config = (await eslint.calculateConfigForFile(`${root}${file}`)) as { rules: Record<string, unknown> }
      const setting = config.rules['no-restricted-imports']
      return Array.isArray(setting) ? setting[0] : setting
    }
    expect(await restricted('packages/core/src/splitter.ts')).toBe(2)
    expect(await restricted('packages/core/src/stats/srm.ts')).toBe(2)
    expect(await restricted('packages/core/src/otel.ts')).toBeUndefined()
    expect(await restricted('packages/core/src/splitter.test.ts')).toBeUndefined()
  })
})
