import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// examples/demo/src/canary-rollout.ts (`pnpm --filter @splitlane/example-demo simulate`), kept in its own file beside examples.test.ts.
describe('demo: automated canary analysis', () => {
  it('promotes the healthy ramp and rolls the faulty one back at its analysis, explaining each decision', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'demo/src/canary-rollout.ts'], {
      cwd: new URL('./', import.meta.url),
      encoding: 'utf8',
    })
    const [healthy, faulty] = output.split('\n5. ')
    for (const weight of ['0% -> 1%', '1% -> 5%', '5% -> 25%']) {
      expect(healthy).toContain(`canary weight ${weight}`)
      expect(faulty).toContain(`canary weight ${weight}`)
    }
    expect(healthy).toMatch(/promoted: canary weight 100%: every step completed/)
    expect(healthy).toContain('-> promoted; the splitter now serves v1 0%, v2 100%')
    expect(healthy).not.toContain('rolled back')
    expect(faulty).toMatch(/analysis run 1 failed: judge Fail \(critical failure: error-rate High forces the score to 0\)/)
    expect(faulty).toMatch(/error-rate: High \(CRITICAL\): higher: \d+\/\d+ \([\d.]+%\) vs \d+\/\d+ \([\d.]+%\)/)
    expect(faulty).toMatch(/rolled back: canary weight 0%: step 6\/6: 1 failed analysis run\(s\)/)
    expect(faulty).toContain('-> rolled-back; the splitter now serves v1 100%, v2 0%')
    // docs/guides/canary-analysis.md shows the faulty ramp's real explanation.
    const guide = readFileSync(new URL('../docs/guides/canary-analysis.md', import.meta.url), 'utf8')
    const shown = /```text\n([\s\S]*?)```/.exec(guide)![1]!.trim().split('\n')
    expect(shown).toHaveLength(3)
    for (const line of shown) expect(faulty).toContain(line)
  })
})
