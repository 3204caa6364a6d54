import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const run = (file: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: new URL('examples/', root), encoding: 'utf8' })

describe('examples', () => {
  it('basic: assigns, explains, and keeps the good config when an update is invalid', () => {
    const output = run('basic/src/index.ts')
    expect(output).toContain('checkout → "canary": key "user-42" (from context.key)')
    expect(output).toContain('kept revision 7: Invalid splitlane config (1 problem)')
    expect(output).toContain('experiments.checkout.variants[0].weight: expected integer 0..1000000, received -1')
  })

  it("README's usage block is the start of examples/basic", () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8')
    const block = /## Use\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!
    expect(readFileSync(new URL('examples/basic/src/index.ts', root), 'utf8').startsWith(block)).toBe(true)
  })

  it('demo (simulated): the split passes its sample-ratio check and the ramp never moves anyone out of the canary', () => {
    const output = run('demo/src/simulated.ts')
    expect(output).toMatch(/sample-ratio check: chi-square [\d.]+, p = [\d.]+ -> no mismatch/)
    expect(output).toContain('helloworld → "v3": key "user-42"')
    const steps = [...output.matchAll(/^ {3}(\d+)% +([\d,]+) +([\d,]+) +([\d,]+) /gm)].map((match) => ({
      percent: Number(match[1]),
      inCanary: Number(match[2]!.replaceAll(',', '')),
      movedOut: Number(match[4]!.replaceAll(',', '')),
    }))
    expect(steps.map((step) => step.percent)).toEqual([1, 5, 25, 100])
    expect(steps.every((step) => step.movedOut === 0)).toBe(true)
    expect(steps.at(-1)!.inCanary).toBe(100_000)
    expect(output).toContain('beta users outside the holdout:  100.00% on the canary')
    const heldOut = Number(/held out \(control everywhere\): +([\d.]+)%/.exec(output)![1])
    expect(Math.abs(heldOut - 5)).toBeLessThan((3 * Math.sqrt(5 * 95)) / Math.sqrt(100_000)) // within 3 sd, in percent
    expect(output).toContain('release → "canary": rule "beta-canary" (the first rule) matched: segment "beta", which pins "canary".')
    expect(output).toContain('its only rule, "beta-canary", did not match (segment "beta" did not match: groups is ["customer"]')
    expect(output).toMatch(/release → "stable": key "user-\d+" \(from context.key\) is in the holdout/)
  })

  it('openfeature: flags through the OpenFeature server SDK, conversions tracked and judged per variant', () => {
    const output = run('openfeature/src/index.ts')
    expect(output).toMatch(/user-42 sees "Buy( now)?" \(variant (stable|canary), reason SPLIT, bucket 0\.\d+\)/)
    expect(output).toContain('ann sees "Buy now" (reason TARGETING_MATCH, rule staff)')
    expect(output).toContain('a typo answers the default "Buy" with FLAG_NOT_FOUND')
    expect(output).toMatch(/conversion: Pass: .*rate ratio 1\.\d+/)
  })

  it('typed-names: the registered names type a config loaded at run time, and src/splitlane.d.ts is current', () => {
    const output = run('typed-names/src/index.ts')
    expect(output).toContain('user-42 on checkout: canary')
    // Hashing is deterministic: these are the variants for these keys under config.yaml, on every machine.
    expect(output).toContain('user-1: the checkout you know (checkout=stable, search=vector); vector search')
    expect(output).toContain('user-3: the checkout you know (checkout=stable, search=bm25); keyword search')
    const generated = execFileSync(process.execPath, ['../../packages/cli/bin/splitlane.js', 'types', 'config.yaml'], {
      cwd: new URL('examples/typed-names/', root),
      encoding: 'utf8',
    })
    expect(readFileSync(new URL('examples/typed-names/src/splitlane.d.ts', root), 'utf8')).toBe(generated)
  })

  it('live-config: follows the URL and the file, and keeps the last good revision on a bad edit', () => {
    const output = run('live-config/src/index.ts')
    expect(output).toContain('url: now on revision 2')
    expect(output).toMatch(/url: rejected, kept revision 2: .*experiments\.checkout\.variants\[0\]\.weight/)
    expect(output).toMatch(/url: 2\d\.\d% canary \(still revision 2\)/)
    expect(output).toContain('file: now on revision 11')
    expect(output).toContain('file: 100.0% canary')
  })
})
