import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '@splitlane/core'
import { parseRolloutPlan } from '@splitlane/core/rollout'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse, parseAllDocuments } from 'yaml'
import { splitlane } from './cli.js'
import { fixturePath } from './fixtures.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'splitlane-mesh-'))
})

describe('splitlane import', () => {
  it('prints a valid YAML config for a clean HTTPRoute and exits 0 with no warnings', async () => {
    const result = await splitlane(['import', fixturePath('gateway-simple-split.yaml')])
    expect(result.code).toBe(0)
    const config = parseConfig(parse(result.stdout))
    expect(config.experiments['foo-route']!.variants.map((v) => v.weight)).toEqual([90, 10])
    expect(result.stderr).toContain('0 warnings')
    expect(result.stderr).not.toContain('warning ')
  })

  it('prints warnings with their paths on stderr, exits 0, and 1 with --strict', async () => {
    const loose = await splitlane(['import', fixturePath('gateway-with-filters.yaml')])
    expect(loose.code).toBe(0)
    expect(loose.stderr).toContain('warning HTTPRoute checkout spec.rules[0].filters:')
    expect(loose.stderr).toContain('spec.rules[0].timeouts')
    expect(loose.stderr).toContain('3 warnings (--strict makes them fail)')
    expect(parseConfig(parse(loose.stdout)).experiments['checkout']).toBeDefined()
    const strict = await splitlane(['import', fixturePath('gateway-with-filters.yaml'), '--strict'])
    expect(strict.code).toBe(1)
    expect(strict.stdout).toBe(loose.stdout)
    expect((await splitlane(['import', fixturePath('gateway-simple-split.yaml'), '--strict'])).code).toBe(0)
  })

  it('gives { config, plans, warnings } with --json', async () => {
    const result = await splitlane(['import', fixturePath('argo-rollout-analysis.yaml'), '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as { config: unknown; plans: unknown[]; warnings: { source: string; path: string }[] }
    expect(parseConfig(report.config).experiments['checkout']).toBeDefined()
    expect(parseRolloutPlan(report.plans[0]).steps).toHaveLength(7)
    expect(report.warnings.map((w) => w.path)).toContain('spec.strategy.canary.trafficRouting')
    expect(report.warnings[0]!.source).toBe('Rollout checkout')
  })

  it('writes the config and the plan to files (JSON by extension); they validate and drive the other commands', async () => {
    const out = join(dir, 'config.json')
    const planOut = join(dir, 'plan.yaml')
    const result = await splitlane(['import', fixturePath('argo-rollout-canary.yaml'), '--out', out, '--plan-out', planOut])
    expect(result).toMatchObject({ code: 0, stdout: '' })
    expect(result.stderr).toContain(`wrote ${out} and ${planOut}`)
    const config = parseConfig(JSON.parse(await readFile(out, 'utf8')))
    expect(Object.keys(config.experiments)).toEqual(['rollout-canary'])
    expect(parseRolloutPlan(parse(await readFile(planOut, 'utf8'))).steps[0]).toEqual({ setWeight: 20 })
    expect((await splitlane(['validate', out])).code).toBe(0)
  })

  it('says where the plan went missing when --plan-out is not given', async () => {
    const result = await splitlane(['import', fixturePath('argo-rollout-canary.yaml')])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('add --plan-out')
  })

  it('converts every supported document of a multi-document file and reports the others', async () => {
    const result = await splitlane(['import', fixturePath('mixed.yaml')])
    expect(result.code).toBe(0)
    expect(Object.keys(parseConfig(parse(result.stdout)).experiments)).toEqual(['foo-route', 'rollout-canary'])
    expect(result.stderr).toContain('warning document 2: v1 Service is not supported')
    expect((await splitlane(['import', fixturePath('mixed.yaml'), '--strict'])).code).toBe(1)
  })

  it('exits 1 when nothing is importable, 2 when the file cannot be read', async () => {
    const nothing = await splitlane(['import', fixturePath('../../package.json')])
    expect(nothing.code).toBe(1)
    expect(nothing.stderr).toContain('nothing to import')
    const missing = await splitlane(['import', join(dir, 'nope.yaml')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read')
  })
})

describe('help', () => {
  it('lists import and export, each with examples', async () => {
    const help = await splitlane(['--help'])
    expect(help.stdout).toMatch(/^ {2}import \[options\] <file> \[system-file\] +turn Gateway API HTTPRoutes/m)
    expect(help.stdout).toMatch(/^ {2}export \[options\] <config> +write an experiment as an HTTPRoute/m)
    for (const command of ['import', 'export'])
      expect((await splitlane([command, '--help'])).stdout).toContain(`\nExamples:\n  $ splitlane ${command} `)
  })
})

describe('splitlane export', () => {
  it('exports an imported route back to an HTTPRoute that imports to the same split', async () => {
    const config = join(dir, 'foo.yaml')
    await splitlane(['import', fixturePath('gateway-header-canary.yaml'), '--out', config])
    const result = await splitlane(['export', config, '--to', 'gateway-api', '--namespace', 'default'])
    expect(result.code).toBe(0)
    const manifest = parse(result.stdout) as { kind: string; metadata: { namespace: string } }
    expect(manifest).toMatchObject({ kind: 'HTTPRoute', metadata: { name: 'foo-route', namespace: 'default' } })
    expect(result.stderr).toContain('experiments.foo-route.mode')
    const route = join(dir, 'route.yaml')
    expect((await splitlane(['export', config, '--to', 'gateway-api', '--out', route, '--strict'])).code).toBe(1)
    const again = await splitlane(['import', route])
    expect(parse(again.stdout).experiments['foo-route'].variants).toEqual(
      parse(await readFile(config, 'utf8')).experiments['foo-route'].variants,
    )
  })

  it('exports to Istio as JSON with --json', async () => {
    const config = join(dir, 'reviews.yaml')
    await splitlane(['import', fixturePath('istio-reviews-v1-v2-v3.yaml'), '--out', config])
    const result = await splitlane(['export', config, '--to', 'istio', '--json'])
    expect(result.code).toBe(0)
    const { manifest, warnings } = JSON.parse(result.stdout) as {
      manifest: { kind: string; spec: { http: unknown[] } }
      warnings: unknown[]
    }
    expect(manifest.kind).toBe('VirtualService')
    expect(manifest.spec.http).toHaveLength(1)
    expect(warnings.length).toBeGreaterThan(0)
    // a destination used by two routes is written out twice, not as a YAML alias kubectl users would trip over
    const foo = join(dir, 'foo-istio.yaml')
    await splitlane(['import', fixturePath('gateway-header-canary.yaml'), '--out', foo])
    const yaml = await splitlane(['export', foo, '--to', 'istio'])
    expect(yaml.stdout).not.toMatch(/[&*]a\d/)
    expect(parse(yaml.stdout)).toMatchObject({ spec: { http: [{ name: 'rule-1' }, { name: 'default' }] } })
  })

  it('exports a plan as an Argo Rollout whose steps import back unchanged', async () => {
    const config = join(dir, 'rollout.yaml')
    const plan = join(dir, 'rollout-plan.yaml')
    await splitlane(['import', fixturePath('argo-rollout-canary.yaml'), '--out', config, '--plan-out', plan])
    const result = await splitlane(['export', config, '--to', 'argo-rollouts', '--plan', plan])
    expect(result.code).toBe(0)
    const [rollout] = parseAllDocuments(result.stdout).map((d) => d.toJS() as { spec: { strategy: { canary: { steps: unknown[] } } } })
    expect(rollout!.spec.strategy.canary.steps[3]).toEqual({ pause: { duration: '40s' } })
    const back = join(dir, 'rollout-back.yaml')
    const backPlan = join(dir, 'rollout-back-plan.yaml')
    await splitlane(['export', config, '--to', 'argo-rollouts', '--plan', plan, '--out', back])
    expect((await splitlane(['import', back, '--out', join(dir, 'ignored.yaml'), '--plan-out', backPlan])).code).toBe(0)
    expect(parse(await readFile(backPlan, 'utf8'))).toEqual(parse(await readFile(plan, 'utf8')))
  })

  it('exits 2 for a missing --to, a missing plan, an unknown experiment or an invalid config', async () => {
    const config = join(dir, 'two.yaml')
    await splitlane(['import', fixturePath('mixed.yaml'), '--out', config])
    expect((await splitlane(['export', config])).code).toBe(2)
    expect((await splitlane(['export', config, '--to', 'linkerd'])).code).toBe(2)
    const ambiguous = await splitlane(['export', config, '--to', 'istio'])
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain('pick one with --experiment')
    expect((await splitlane(['export', config, '--to', 'istio', '--experiment', 'nope'])).stderr).toContain('no experiment "nope"')
    expect((await splitlane(['export', config, '--to', 'argo-rollouts'])).stderr).toContain('needs --plan')
    const invalid = await splitlane(['export', fixturePath('gateway-simple-split.yaml'), '--to', 'istio'])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('is not a valid config')
  })
})
