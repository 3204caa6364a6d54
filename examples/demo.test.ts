import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// `pnpm demo` end to end (examples/demo/src/index.ts): real servers, real requests, its own checks.
describe('demo', () => {
  it('splits, explains, routes LLM calls, shadows and ramps a canary against real local servers, every check passing', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'demo/src/index.ts'], {
      cwd: new URL('./', import.meta.url),
      encoding: 'utf8',
      // as `pnpm demo` runs for someone who has not set SPLITLANE_COOKIE_SECRET: the demo makes one up
      env: { ...process.env, NO_COLOR: '1', SPLITLANE_COOKIE_SECRET: undefined },
    }).catch((error: Error & { stdout?: string }) => {
      // a failed check exits 1: show which one
      throw new Error(`the demo failed:\n${error.stdout ?? ''}`, { cause: error })
    })
    const output = stdout
    const part = (number: number) => output.split(/^\d\. /m)[number]!
    expect(output).toMatch(/^All \d+ checks passed in [\d.]+ s\.$/m)
    expect(output).not.toContain('✗')
    expect(output).not.toContain('\u001b[') // no colour off a TTY

    // 1. shares of 2,000 users, SRM, stickiness
    const rows = [...part(1).matchAll(/^ {3}(v\d) +(\d+)% +([\d.]+)% +([\d,]+) /gm)].map((m) => ({
      variant: m[1],
      configured: Number(m[2]),
      requests: Number(m[4]!.replaceAll(',', '')),
    }))
    expect(rows.map((row) => [row.variant, row.configured])).toEqual([
      ['v1', 10],
      ['v2', 10],
      ['v3', 80],
    ])
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(2000)
    expect(part(1)).toMatch(/sample-ratio check: chi-square [\d.]+, p = [\d.]+/)
    expect(part(1)).toContain('✓ 100/100 returning users (x-user-id) got the same version again')
    expect(part(1)).toContain('✓ 50/50 anonymous visitors came back with their splitlane_id cookie and got the same version')

    // 2. the explanation and the gateway's header agree
    const variant = /helloworld → "(v\d)": key "user-42"/.exec(part(2))![1]
    expect(part(2)).toContain(`splitlane-variant: helloworld=${variant}  ->  "Hello version: ${variant}"`)

    // 3. LLM split
    const models = Object.fromEntries(
      [
        ...part(3).matchAll(
          /^ {3}(mini|premium) +(gpt-[\w-]+) +(\d+) +[\d.]+% +([\d.]+) +([\d.]+) +([\d.]+) +([\d,]+) +([\d,]+) +([\d.]+)/gm,
        ),
      ].map(
        (m) =>
          [m[2]!, { requests: Number(m[3]), p50: Number(m[4]), ttfb: Number(m[6]), completion: Number(m[8]!.replace(',', '')) }] as const,
      ),
    )
    expect(Object.keys(models)).toEqual(['gpt-4o-mini', 'gpt-4o'])
    expect(models['gpt-4o-mini']!.requests + models['gpt-4o']!.requests).toBe(400)
    for (const model of Object.values(models)) {
      expect(model.completion).toBeGreaterThan(0)
      expect(model.ttfb).toBeLessThanOrEqual(model.p50 * 1.02)
    }
    expect(part(3)).toContain("✓ the response's model field confirmed the assigned model on 400/400 calls")

    // 4. shadow
    expect(part(4)).toMatch(/^ {3}shadow that hangs +100 +[\d.]+ +[\d.]+ +[\d.]+ +(\d+) +(\d+) +\1 +0$/m)
    expect(part(4)).toMatch(/✓ no primary call waited for the hanging shadow/)

    // 5. canary ramps: every step judged, promoted; the faulty one rolled back at its first analysis
    const [healthy, faulty] = part(5).split('b) v2 with a fault injected')
    for (const weight of ['0% -> 1%', '1% -> 5%', '5% -> 25%']) expect(healthy).toContain(`canary weight ${weight}`)
    expect(healthy!.match(/analysis run 1 passed: judge Pass/g)).toHaveLength(3)
    expect(healthy).toContain('promoted: canary weight 100%: every step completed')
    expect(healthy).toContain('✓ after the promotion v2 served 40/40 new users')
    expect(faulty).toMatch(/analysis run 1 failed: judge Fail \(critical failure: error-rate High forces the score to 0\)/)
    expect(faulty).toMatch(/error-rate: High \(CRITICAL\): higher: \d+\/\d+ \([\d.]+%\) vs 0\/\d+ \(0%\)/)
    expect(faulty).toMatch(/rolled back: canary weight 0%: step 2\/6: 1 failed analysis run/)
    expect(faulty).not.toContain('canary weight 1% -> 5%')
    expect(faulty).toContain('✓ after the rollback v1 served 40/40 new users')
  }, 180_000)
})
