// `splitlane rules`: checked by Prometheus's own promtool, and its alerts unit-tested with
// `promtool test rules` on synthetic series (promtool ships with Debian's prometheus package).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { beforeAll, describe, expect, it } from 'vitest'
import { splitlane } from './cli.js'
import { tempFiles } from './files.js'

const exec = promisify(execFile)
let write: (name: string, text: string) => Promise<string>
let dir: string
beforeAll(async () => {
  ;({ write, dir } = await tempFiles())
})

const CONFIG = JSON.stringify({
  version: 1,
  experiments: { checkout: { variants: [{ name: 'stable' }, { name: 'canary', weight: 0 }] } },
})

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec('promtool', args, { cwd: dir })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, output: failed.stdout + failed.stderr }
  }
}

// Synthetic series: one sample a minute for 2 hours. The canary fails 5% of its requests (50x a
// 99.9% objective's budget), stable none. Latency: stable all fast; the canary's requests all above 0.25 s.
const series = (variant: string, errorsPerMinute: number, fastPerMinute: number) => {
  const labels = `feature_flag_key="checkout",feature_flag_result_variant="${variant}"`
  return [
    { series: `splitlane_requests_total{${labels},http_response_status_code="200"}`, values: `0+${60 - errorsPerMinute}x120` },
    ...(errorsPerMinute > 0
      ? [
          {
            series: `splitlane_requests_total{${labels},http_response_status_code="503",error_type="503"}`,
            values: `0+${errorsPerMinute}x120`,
          },
        ]
      : []),
    { series: `splitlane_request_duration_bucket{${labels},le="0.25"}`, values: `0+${fastPerMinute}x120` },
    { series: `splitlane_request_duration_bucket{${labels},le="+Inf"}`, values: '0+60x120' },
    { series: `splitlane_request_duration_count{${labels}}`, values: '0+60x120' },
    // every request's first byte under 0.05 s; 30 input and 90 output tokens and 0.06 in cost a minute
    { series: `splitlane_request_time_to_first_byte_bucket{${labels},le="0.05"}`, values: '0+60x120' },
    { series: `splitlane_request_time_to_first_byte_bucket{${labels},le="+Inf"}`, values: '0+60x120' },
    { series: `splitlane_llm_tokens_total{${labels},gen_ai_token_type="input"}`, values: '0+30x120' },
    { series: `splitlane_llm_tokens_total{${labels},gen_ai_token_type="output"}`, values: '0+90x120' },
    { series: `splitlane_llm_cost_total{${labels}}`, values: '0+0.06x120' },
  ]
}

const alertLabels = (severity: string, variant: string) => ({
  exp_labels: { severity, experiment: 'checkout', variant, feature_flag_key: 'checkout', feature_flag_result_variant: variant },
})

describe('splitlane rules', () => {
  it('writes a rules file promtool accepts and whose alerts fire for the failing variant only', async () => {
    const config = await write('rules-config.json', CONFIG)
    const out = `${dir}/splitlane.rules.yml`
    const result = await splitlane(['rules', '--config', config, '--slo', '0.999', '--latency-slo', '0.25:0.99', '--out', out])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const check = await promtool(['check', 'rules', out])
    expect(check.output).toContain('SUCCESS')
    expect(check.code).toBe(0)

    const rules = parse(await import('node:fs/promises').then((fs) => fs.readFile(out, 'utf8'))) as {
      groups: { name: string; rules: { alert?: string; record?: string; annotations?: Record<string, string> }[] }[]
    }
    const annotations = (name: string, variant: string) =>
      rules.groups[1]!.rules.find((rule) => rule.alert === name && rule.annotations!.summary!.startsWith(`checkout/${variant} `))!
        .annotations
    const expected = (name: string, severity: string, variant: string) => ({
      ...alertLabels(severity, variant),
      exp_annotations: annotations(name, variant),
    })
    const tests = {
      rule_files: [out],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [...series('stable', 0, 60), ...series('canary', 3, 0)],
          alert_rule_test: [
            // 70 minutes in, both windows of the 1h/5m and 6h/30m pairs burn at 50x: the page fires, for the canary only.
            {
              eval_time: '70m',
              alertname: 'SplitlaneErrorBudgetBurn',
              exp_alerts: [
                expected('SplitlaneErrorBudgetBurn', 'page', 'canary'),
                expected('SplitlaneErrorBudgetBurn', 'ticket', 'canary'),
              ],
            },
            {
              eval_time: '70m',
              alertname: 'SplitlaneLatencyBudgetBurn',
              exp_alerts: [
                expected('SplitlaneLatencyBudgetBurn', 'page', 'canary'),
                expected('SplitlaneLatencyBudgetBurn', 'ticket', 'canary'),
              ],
            },
          ],
          promql_expr_test: [
            {
              expr: 'splitlane:error_ratio:rate5m',
              eval_time: '70m',
              exp_samples: [
                { labels: 'splitlane:error_ratio:rate5m{feature_flag_key="checkout",feature_flag_result_variant="canary"}', value: 0.05 },
                { labels: 'splitlane:error_ratio:rate5m{feature_flag_key="checkout",feature_flag_result_variant="stable"}', value: 0 },
              ],
            },
            {
              expr: 'splitlane:llm_tokens:rate5m{feature_flag_result_variant="canary"}',
              eval_time: '70m',
              exp_samples: [
                {
                  labels:
                    'splitlane:llm_tokens:rate5m{feature_flag_key="checkout",feature_flag_result_variant="canary",gen_ai_token_type="input"}',
                  value: 0.5,
                },
                {
                  labels:
                    'splitlane:llm_tokens:rate5m{feature_flag_key="checkout",feature_flag_result_variant="canary",gen_ai_token_type="output"}',
                  value: 1.5,
                },
              ],
            },
            {
              expr: 'round(splitlane:llm_cost:rate1h{feature_flag_result_variant="canary"} * 3600, 0.001)', // 0.06 a minute, per hour
              eval_time: '70m',
              exp_samples: [{ labels: '{feature_flag_key="checkout",feature_flag_result_variant="canary"}', value: 3.6 }],
            },
            {
              // all first bytes in the lowest bucket with data: the median interpolates to half its boundary
              expr: 'splitlane:time_to_first_byte_seconds:p50_5m{feature_flag_result_variant="stable"}',
              eval_time: '70m',
              exp_samples: [
                {
                  labels: 'splitlane:time_to_first_byte_seconds:p50_5m{feature_flag_key="checkout",feature_flag_result_variant="stable"}',
                  value: 0.025,
                },
              ],
            },
            {
              expr: 'splitlane:requests:rate5m',
              eval_time: '70m',
              exp_samples: [
                { labels: 'splitlane:requests:rate5m{feature_flag_key="checkout",feature_flag_result_variant="canary"}', value: 1 },
                { labels: 'splitlane:requests:rate5m{feature_flag_key="checkout",feature_flag_result_variant="stable"}', value: 1 },
              ],
            },
          ],
        },
        {
          // A quiet canary, 5 requests an hour with 1 error: 20% errors, but none of its windows holds the
          // 10 requests an alert needs (as the in-process guardrails' minRequests): one error is not a trend.
          interval: '1m',
          input_series: [
            {
              series:
                'splitlane_requests_total{feature_flag_key="checkout",feature_flag_result_variant="canary",http_response_status_code="200"}',
              values: '0+0.0667x120',
            },
            {
              series:
                'splitlane_requests_total{feature_flag_key="checkout",feature_flag_result_variant="canary",http_response_status_code="503",error_type="503"}',
              values: '0+0.0167x120',
            },
          ],
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: 'SplitlaneErrorBudgetBurn',
              exp_alerts: [],
            },
          ],
        },
      ],
    }
    const testFile = await write('splitlane.rules.test.yml', JSON.stringify(tests))
    const unit = await promtool(['test', 'rules', testFile])
    expect(unit.output).toContain('SUCCESS')
    expect(unit.code).toBe(0)
  })

  it('wraps the same groups in a PrometheusRule manifest', async () => {
    const config = await write('rules-config.json', CONFIG)
    const result = await splitlane(['rules', '--config', config, '--format', 'prometheusrule', '--namespace', 'shop'])
    expect(result.code).toBe(0)
    const manifest = parse(result.stdout) as { apiVersion: string; kind: string; metadata: object; spec: { groups: { name: string }[] } }
    expect(manifest).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'splitlane', namespace: 'shop' },
    })
    expect(manifest.spec.groups.map((group) => group.name)).toEqual(['splitlane-recording', 'splitlane-burn-rate'])
  })

  it('rejects a latency threshold that is not a bucket boundary and a bad objective, saying what is expected', async () => {
    const config = await write('rules-config.json', CONFIG)
    const latency = await splitlane(['rules', '--config', config, '--latency-slo', '0.3:0.99'])
    expect(latency.code).toBe(2)
    expect(latency.stderr).toContain('a latency threshold of 0.3 s is not a bucket boundary of splitlane.request.duration (0.005, 0.01')
    const slo = await splitlane(['rules', '--config', config, '--slo', '99.9'])
    expect(slo.code).toBe(2)
    expect(slo.stderr).toBe('splitlane: --slo expects an objective between 0 and 1 (e.g. 0.999), got "99.9"\n')
  })
})
