import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { stringify } from 'yaml'
import { CliError, EXIT, type CliIo } from '../io.js'
import { loadConfig } from '../load.js'
import { examples } from '../output.js'
import { prometheusRule, rulesFor } from '../rules.js'

interface RulesCommandOptions {
  config: string
  slo: string
  latencySlo?: string
  format: 'rules' | 'prometheusrule'
  selector?: string
  name: string
  namespace?: string
  out?: string
}

const objective = (flag: string, text: string) => {
  const value = Number(text)
  if (text.trim() === '' || !(value > 0 && value < 1))
    throw new CliError(`${flag} expects an objective between 0 and 1 (e.g. 0.999), got "${text}"`)
  return value
}

export function registerRules(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('rules')
    .summary('write Prometheus recording and multi-burn-rate alerting rules for a config')
    .description(
      "Prometheus rules for the config's experiments: per-variant recording rules (request rate, error ratio, latency\n" +
        'p50/p90/p99 over the burn-rate windows 5m, 30m, 1h, 6h, 3d) and, per variant, multiwindow multi-burn-rate alerts\n' +
        '(14.4x over 1h and 5m or 6x over 6h and 30m: page; 1x over 3d and 6h: ticket), as the in-process guardrails.\n' +
        'Check the output with `promtool check rules`.',
    )
    .requiredOption('-c, --config <file>', 'splitlane config (JSON or YAML)')
    .option('--slo <objective>', 'availability objective: the share of requests without error', '0.999')
    .option('--latency-slo <seconds:objective>', 'latency objective, e.g. 0.25:0.99 (the threshold must be a histogram bucket boundary)')
    .addOption(
      new Option('--format <format>', 'a plain rules file or a Prometheus Operator manifest')
        .choices(['rules', 'prometheusrule'])
        .default('rules'),
    )
    .option('--selector <matchers>', 'extra label matchers on every selector, e.g. job="checkout"')
    .option('--name <name>', 'metadata.name of the PrometheusRule', 'splitlane')
    .option('--namespace <namespace>', 'metadata.namespace of the PrometheusRule')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      examples([
        'splitlane rules --config splitlane.yaml --slo 0.999 --out splitlane.rules.yml && promtool check rules splitlane.rules.yml',
        'splitlane rules --config splitlane.yaml --latency-slo 0.25:0.99 --format prometheusrule --namespace shop',
      ]),
    )
    .action(async (options: RulesCommandOptions) => {
      const { config } = await loadConfig(options.config)
      let latency: { thresholdSeconds: number; objective: number } | undefined
      if (options.latencySlo !== undefined) {
        const [threshold, share] = options.latencySlo.split(':')
        const thresholdSeconds = Number(threshold)
        if (share === undefined || !(thresholdSeconds > 0))
          throw new CliError(`--latency-slo expects <seconds>:<objective>, e.g. 0.25:0.99, got "${options.latencySlo}"`)
        latency = { thresholdSeconds, objective: objective('--latency-slo', share) }
      }
      let groups
      try {
        groups = rulesFor(config, { availability: objective('--slo', options.slo), latency, selector: options.selector })
      } catch (error) {
        if (error instanceof CliError) throw error
        throw new CliError(`--latency-slo: ${(error as Error).message}`)
      }
      const document =
        options.format === 'prometheusrule' ? prometheusRule(groups, { name: options.name, namespace: options.namespace }) : { groups }
      const text = stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })
      if (options.out === undefined) io.out(text)
      else
        try {
          await writeFile(options.out, text)
        } catch (error) {
          throw new CliError(`cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
        }
      setExit(EXIT.ok)
    })
}
