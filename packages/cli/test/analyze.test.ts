import { readFile } from 'node:fs/promises'
import { createMetricsRecorder } from '@splitlane/core'
import { startRollout, tickRollout, type RolloutPlan } from '@splitlane/core/rollout'
import { type JudgeResult } from '@splitlane/core/analysis'
import { beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { splitlane } from './cli.js'
import { ANSI, example, tempFiles } from './files.js'

type Report = JudgeResult & { experiment: string; canary: string; baseline: string; outcome: string; outcomeReason: string; next: string }

let write: (name: string, text: string) => Promise<string>
beforeAll(async () => {
  ;({ write } = await tempFiles())
})

async function analyze(...args: string[]): Promise<{ code: number; report: Report }> {
  const result = await splitlane(['analyze', ...args, '--json'])
  return { code: result.code, report: JSON.parse(result.stdout) as Report }
}

/** The example CSV summarised here, independently of the CLI. */
async function csvTruth() {
  const rows = (await readFile(example('requests.csv'), 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('checkout,'))
    .map((line) => line.split(','))
  const of = (variant: string) => {
    const mine = rows.filter((row) => row[1] === variant)
    const latencies = mine.map((row) => Number(row[3]))
    return {
      requests: mine.length,
      errors: mine.filter((row) => Number(row[2]) >= 500).length,
      meanLatency: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    }
  }
  return { canary: of('canary'), stable: of('stable') }
}

const metric = (report: Report, name: string) => report.metrics.find((candidate) => candidate.name === name)!

describe('splitlane analyze', () => {
  it("judges a per-request CSV with the plan's names and judge settings: a failing canary exits 1", async () => {
    const truth = await csvTruth()
    const { code, report } = await analyze(example('requests.csv'), '--plan', example('plan.yaml'))
    expect(code).toBe(1)
    expect(report).toMatchObject({ experiment: 'checkout', canary: 'canary', baseline: 'stable', verdict: 'Fail', score: 0 })
    const errors = metric(report, 'error-rate')
    expect(errors.canary).toEqual({ count: truth.canary.requests, mean: truth.canary.errors / truth.canary.requests })
    expect(errors.baseline).toEqual({ count: truth.stable.requests, mean: truth.stable.errors / truth.stable.requests })
    expect(errors).toMatchObject({ class: 'High', criticalFailure: true })
    const latency = metric(report, 'latency')
    expect(latency.canary.count).toBe(truth.canary.requests)
    // Latency goes through the recorder's quantile sketch: within its 1% relative accuracy.
    expect(Math.abs(latency.canary.mean! / truth.canary.meanLatency - 1)).toBeLessThan(0.01)
    expect(Math.abs(latency.baseline.mean! / truth.stable.meanLatency - 1)).toBeLessThan(0.01)
    // The plan's first analysis step sets latency.allowedIncrease to 1.1.
    expect(latency.reason).toContain('allowed 1.1')
  })

  it('passes a healthy canary from a metrics window in JSON or YAML and exits 0', async () => {
    const json = await analyze(example('metrics.json'), '--experiment', 'checkout', '--canary', 'canary', '--baseline', 'stable')
    expect(json.code).toBe(0)
    expect(json.report).toMatchObject({ verdict: 'Pass', score: 100 })
    const window = JSON.parse(await readFile(example('metrics.json'), 'utf8')) as {
      experiments: { checkout: Record<string, { requests: number; errors: number }> }
    }
    const { canary, stable } = window.experiments.checkout
    expect(metric(json.report, 'error-rate').canary).toEqual({ count: canary!.requests, mean: canary!.errors / canary!.requests })
    expect(metric(json.report, 'error-rate').baseline).toEqual({ count: stable!.requests, mean: stable!.errors / stable!.requests })
    const yaml = await write('metrics.yaml', stringify(window))
    const fromYaml = await analyze(yaml, '--canary', 'canary', '--baseline', 'stable')
    expect(fromYaml.code).toBe(0)
    expect(fromYaml.report.metrics).toEqual(json.report.metrics)
  })

  it('prints the verdict and a per-metric table without ANSI codes off a terminal', async () => {
    const result = await splitlane(['analyze', example('metrics.json'), '-c', 'canary', '-b', 'stable'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /^checkout: canary canary \(1000 requests\) vs baseline stable \(5000 requests\)\nverdict: Pass {2}score 100 {2}\(score 100 >= pass 95\)\n/,
    )
    expect(result.stdout).toMatch(/metric +class +canary n +canary mean +baseline n +baseline mean +ratio +p-value +flag\n/)
    expect(result.stdout).toMatch(/error-rate +Pass +1000 /)
    expect(result.stdout).toContain('groups: errors 100 (weight 50), latency 100 (weight 50)')
    expect(result.stdout).not.toMatch(ANSI)
  })

  it('a slower canary with equal errors scores 50: Marginal (exit 1) or Pass (exit 0) by the thresholds given', async () => {
    const rows = ['variant,status,latency_ms']
    for (let index = 0; index < 300; index++) rows.push(`old,200,${100 + (index % 20)}`, `new,200,${150 + (index % 20)}`)
    const csv = await write('slower.csv', rows.join('\n') + '\n')
    const args = [csv, '--experiment', 'api', '--canary', 'new', '--baseline', 'old']
    const marginal = await analyze(...args, '--marginal-threshold', '40')
    expect(marginal.code).toBe(1)
    expect(marginal.report).toMatchObject({ verdict: 'Marginal', score: 50 })
    expect(marginal.report.groups.map((group) => [group.name, group.score])).toEqual([
      ['errors', 100],
      ['latency', 0],
    ])
    const pass = await analyze(...args, '--pass-threshold', '50')
    expect(pass).toMatchObject({ code: 0, report: { verdict: 'Pass', score: 50 } })
    expect(await analyze(...args)).toMatchObject({ code: 1, report: { verdict: 'Fail', score: 50 } })
  })

  it('judges business events from event:<name> columns when the plan names them', async () => {
    const rows = ['variant,status,latency_ms,event:purchase']
    for (let index = 0; index < 1000; index++)
      rows.push(`v1,200,100,${index % 10 === 0 ? 1 : ''}`, `v2,200,100,${index % 20 === 0 ? 1 : ''}`)
    const csv = await write('events.csv', rows.join('\n') + '\n')
    const plan = await write(
      'events-plan.yaml',
      'experiment: shop\ncanary: v2\nbaseline: v1\nsteps:\n  - setWeight: 10\n  - analysis: { judge: { events: { purchase: {} } } }\n',
    )
    const { code, report } = await analyze(csv, '--plan', plan)
    const purchase = metric(report, 'purchase')
    expect(purchase.canary).toEqual({ count: 1000, mean: 0.05 })
    expect(purchase.baseline).toEqual({ count: 1000, mean: 0.1 })
    expect(purchase.class).toBe('Low')
    expect(report.verdict).not.toBe('Pass')
    expect(code).toBe(1)
  })

  it('exits 2 when it cannot run: unknown variant, no names, bad plan, bad CSV', async () => {
    const unknown = await splitlane(['analyze', example('metrics.json'), '--canary', 'v3', '--baseline', 'stable'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no variant "v3" of checkout in')
    expect(unknown.stderr).toContain('it has: stable, canary')
    const unnamed = await splitlane(['analyze', example('metrics.json')])
    expect(unnamed.code).toBe(2)
    expect(JSON.parse((await splitlane(['analyze', example('metrics.json'), '--json'])).stdout)).toEqual({
      error: 'which variants? pass --canary and --baseline (or --plan); checkout has: stable, canary',
    })
    expect(unnamed.stderr).toContain('which variants? pass --canary and --baseline (or --plan); checkout has: stable, canary')
    const plan = await write('plan.yaml', 'experiment: checkout\ncanary: canary\nbaseline: stable\nsteps: [{ setWeight: 500 }]\n')
    const badPlan = await splitlane(['analyze', example('requests.csv'), '--plan', plan])
    expect(badPlan.code).toBe(2)
    expect(badPlan.stderr).toContain('is not a valid rollout plan:\n  steps[0].setWeight: expected a canary weight in percent 0..100')
    const badRow = await write('bad.csv', 'experiment,variant,status,latency_ms\ncheckout,stable,200,12\ncheckout,canary,OK,12\n')
    const row = await splitlane(['analyze', badRow, '-c', 'canary', '-b', 'stable'])
    expect(row.code).toBe(2)
    expect(row.stderr).toContain('bad.csv:3: status "OK" is not a number')
    const badColumn = await write('column.csv', 'experiment,variant,latency\n')
    expect((await splitlane(['analyze', badColumn])).stderr).toContain('unknown column "latency"')
    const notWindow = await write('window.json', '{"checkout": {}}')
    expect((await splitlane(['analyze', notWindow])).stderr).toContain('is not a metrics window')
  })
})

describe('splitlane analyze gives the verdict a rollout gives for the same window', () => {
  const MINUTE = 60_000
  const plan: RolloutPlan = {
    experiment: 'release',
    canary: 'canary',
    baseline: 'stable',
    steps: [{ setWeight: 50 }, { analysis: { intervalMs: MINUTE, minRequests: 10 } }],
  }
  /** `stable` and `canary` requests, every `errorEvery`-th canary request a 503. */
  function window(stable: number, canary: number, errorEvery = 0) {
    const recorder = createMetricsRecorder({ start: 0 })
    for (let i = 0; i < stable; i++) recorder.record({ experiment: 'release', variant: 'stable' }, { status: 200, latencyMs: 10 + (i % 7) })
    for (let i = 0; i < canary; i++)
      recorder.record(
        { experiment: 'release', variant: 'canary' },
        { status: errorEvery > 0 && i % errorEvery === 0 ? 503 : 200, latencyMs: 10 + (i % 7) },
      )
    return recorder.take(MINUTE)
  }
  function throughRollout(metrics: ReturnType<typeof window>) {
    const started = tickRollout(plan, startRollout(plan, 0), 0, [])
    const tick = tickRollout(plan, started.state, MINUTE, metrics)
    return tick.state.history.find((event) => event.action === 'analysis')!.message
  }

  it.each([
    ['a sample ratio mismatch the CLI used to call Pass', 1000, 1200, 0, 'inconclusive', 1],
    ['a healthy canary on a matching split', 1000, 1010, 0, 'passed', 0],
    ['a failing canary', 1000, 1000, 5, 'failed', 1],
  ])('%s', async (_, stable, canary, errorEvery, outcome, exit) => {
    const metrics = window(stable, canary, errorEvery)
    const file = await write(`window-${stable}-${canary}-${errorEvery}.json`, JSON.stringify(metrics))
    const planFile = await write('parity-plan.json', JSON.stringify(plan))
    const { code, report } = await analyze(file, '--plan', planFile)
    expect(throughRollout(metrics)).toBe(`step 2/2: analysis run 1 ${report.outcome}: ${report.outcomeReason}`)
    expect(report.outcome).toBe(outcome)
    expect(code).toBe(exit)
    // --canary-weight gives the same weight by hand; without any weight the ratio is not checked.
    expect((await analyze(file, '-e', 'release', '-c', 'canary', '-b', 'stable', '--canary-weight', '50')).report.outcomeReason).toBe(
      report.outcomeReason,
    )
  })

  it('the SRM case: the judge alone says Pass, the verdict is inconclusive and names the mismatch', async () => {
    const file = await write('srm.json', JSON.stringify(window(1000, 1200)))
    const { report } = await analyze(file, '--plan', await write('srm-plan.json', JSON.stringify(plan)))
    expect(report.verdict).toBe('Pass')
    expect(report.outcomeReason).toMatch(/^sample ratio mismatch: 1000\/1200 requests against 50\/50 weights, p = 2.01e-5 < 0.001/)
    const text = await splitlane(['analyze', file, '--plan', await write('srm-plan.json', JSON.stringify(plan))])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('analysis run inconclusive: sample ratio mismatch')
    const unweighted = await analyze(file, '-e', 'release', '-c', 'canary', '-b', 'stable')
    expect(unweighted.report.outcome).toBe('passed')
    expect(JSON.parse((await splitlane(['analyze', file, '-c', 'canary', '-b', 'stable', '--json'])).stdout).srm.reason).toBe(
      'not checked: the canary weight in force is not known',
    )
  })
})
