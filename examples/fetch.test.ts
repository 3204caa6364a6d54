import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

const run = (file: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: new URL('./', import.meta.url), encoding: 'utf8' })

describe('examples/fetch-llm', () => {
  it('llm: the response model confirms every assignment, the split is near 80/20, tokens and cost are counted per variant', () => {
    const output = run('fetch-llm/src/llm.ts')
    expect(output).toContain("1000 users: the response's model matched the assigned variant 1000 times")
    expect(output).toMatch(/streamed 11 server-sent events from (mini|premium)/)
    const rows = Object.fromEntries(
      [...output.matchAll(/^(mini|premium) +(\d+) +(\d+) +(\d+) +([\d.]+)/gm)].map((m) => [
        m[1],
        { requests: Number(m[2]), cost: Number(m[5]) },
      ]),
    )
    expect(rows['mini']!.requests + rows['premium']!.requests).toBe(1001)
    expect(Math.abs(rows['premium']!.requests - 200)).toBeLessThanOrEqual(3 * Math.sqrt(1000 * 0.8 * 0.2))
    expect(rows['premium']!.cost).toBeGreaterThan(rows['mini']!.cost)
  })

  it('resilience: retries on control, opens the breaker, probes after the cool-down, and mirrors without waiting', () => {
    const output = run('fetch-llm/src/resilience.ts')
    const reasons = [...output.matchAll(/^user-\d+: stable says hi \((\w+),/gm)].map((m) => m[1])
    expect(reasons).toEqual(['retryable_status', 'retryable_status', 'retryable_status', 'circuit_open', 'circuit_open'])
    expect(output).toContain('after the cool-down a probe goes to the canary again: retryable_status')
    expect(output).toContain('Fallback: "canary" answered 503, marked retryable, so the call was retried once on control "stable".')
    expect(output).toContain('canary: 6 requests, 4 errors, 6 served by control')
    expect(output).toMatch(/shadow: 4 mirrored, 2 dropped at the bound, 4 timed out/)
  })
})
