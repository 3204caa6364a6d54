// Names from manifests, configs and metrics files are looked up as own properties only (issue 13, item 1):
// `constructor`, `toString` and `__proto__` are names like any other, or an error with a path, never a misroute.
import { parseConfig } from '@splitlane/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { splitlane } from './cli.js'
import { tempFiles } from './files.js'

let files: Awaited<ReturnType<typeof tempFiles>>
beforeAll(async () => {
  files = await tempFiles()
})

const documents = (...values: unknown[]) => values.map((value) => stringify(value, { lineWidth: 0 })).join('---\n')

describe('import', () => {
  it('imports routes and backends named constructor, toString, valueOf under those names', async () => {
    const path = await files.write(
      'names.yaml',
      documents(
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'constructor' },
          spec: {
            rules: [
              {
                name: 'hasownproperty',
                matches: [{ headers: [{ name: 'x-beta', value: '1' }] }],
                backendRefs: [{ name: 'valueOf', port: 80 }],
              },
              {
                backendRefs: [
                  { name: 'toString', port: 80, weight: 9 },
                  { name: 'valueOf', port: 80, weight: 1 },
                ],
              },
            ],
          },
        },
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'toString' },
          spec: { http: [{ route: [{ destination: { host: 'constructor', subset: 'hasOwnProperty' } }] }] },
        },
      ),
    )
    const result = await splitlane(['import', path, '--json'])
    expect(result.code).toBe(0)
    const { config, warnings } = JSON.parse(result.stdout) as { config: unknown; warnings: { message: string }[] }
    const parsed = parseConfig(config)
    expect(Object.keys(parsed.experiments)).toEqual(['constructor', 'toString'])
    expect(parsed.experiments['constructor']!.variants.map((v) => [v.name, v.weight])).toEqual([
      ['toString', 9],
      ['valueOf', 1],
    ])
    expect(parsed.experiments['constructor']!.rules).toMatchObject([{ id: 'hasownproperty', variant: 'valueOf' }])
    expect(parsed.experiments['toString']!.variants[0]!.name).toBe('hasOwnProperty')
    expect(warnings.map((warning) => warning.message).join('\n')).not.toContain('exists already')
  })

  it('reports an unknown key named constructor as not carried over (not as a function)', async () => {
    const path = await files.write(
      'key.yaml',
      documents({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'shop' },
        spec: { rules: [{ constructor: 1, toString: 2, backendRefs: [{ name: 'a', port: 80 }] }] },
      }),
    )
    const { warnings } = JSON.parse((await splitlane(['import', path, '--json'])).stdout) as { warnings: unknown[] }
    expect(warnings).toEqual([
      { source: 'HTTPRoute shop', path: 'spec.rules[0].constructor', message: 'not supported: not carried over' },
      { source: 'HTTPRoute shop', path: 'spec.rules[0].toString', message: 'not supported: not carried over' },
    ])
  })

  it('stops at a route named __proto__ (no splitlane name) with its path, instead of losing it', async () => {
    const path = await files.write(
      'proto.yaml',
      '{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"__proto__"},' +
        '"spec":{"rules":[{"backendRefs":[{"name":"a","port":80}]}]}}\n',
    )
    const result = await splitlane(['import', path])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('metadata.name: expected a Kubernetes name')
  })
})

const stats = (requests: number, errors: number) => ({ requests, errors })

describe('analyze', () => {
  it('finds experiments and variants named constructor, toString and __proto__ in a metrics file', async () => {
    const path = await files.write(
      'metrics.json',
      JSON.stringify({ experiments: { constructor: { toString: stats(1000, 10), valueOf: stats(1000, 10) } } }),
    )
    const result = await splitlane(['analyze', path, '--experiment', 'constructor', '--canary', 'toString', '--baseline', 'valueOf'])
    expect(result.stderr).toBe('')
    expect(result.stdout).toContain('constructor: canary toString (1000 requests) vs baseline valueOf (1000 requests)')
    const missing = await splitlane(['analyze', path, '--experiment', 'toString', '--canary', 'a', '--baseline', 'b'])
    expect(missing).toMatchObject({ code: 2 })
    expect(missing.stderr).toContain('no experiment "toString"')
    const proto = await files.write('proto.json', `{"experiments":{"__proto__":{"a":{"requests":5},"b":{"requests":5}}}}`)
    const named = await splitlane(['analyze', proto, '--canary', 'a', '--baseline', 'b', '--json'])
    expect(JSON.parse(named.stdout)).toMatchObject({ experiment: '__proto__', canary: 'a', baseline: 'b' })
  })
})

describe('simulate --against', () => {
  it('counts an experiment named constructor as removed when the other config lacks it', async () => {
    const config = (experiments: Record<string, unknown>) => stringify({ version: 1, experiments })
    const variants = { variants: [{ name: 'toString' }, { name: 'valueOf' }] }
    const before = await files.write('before.yaml', config({ constructor: variants, checkout: variants }))
    const after = await files.write('after.yaml', config({ checkout: variants }))
    const result = await splitlane(['simulate', before, '--against', after, '--users', '200', '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ removed: ['constructor'], added: [] })
  })
})
