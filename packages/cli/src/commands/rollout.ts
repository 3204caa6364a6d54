// `splitlane rollout`: the fleet's rollout controller (`run`) and its remote control (`status`,
// `promote`, `resume`, `abort`). Everything lives in @splitlane/prometheus; this only wires flags.
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import {
  createFileConfigStore,
  createPrometheusSource,
  createRolloutController,
  serveController,
  type RolloutStatusReport,
} from '@splitlane/prometheus'
import type { Command } from 'commander'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { CliError, EXIT, type CliIo } from '../io.js'
import { loadConfig, loadPlan } from '../load.js'
import { examples, json } from '../output.js'

export const TOKEN_ENV = 'SPLITLANE_ROLLOUT_TOKEN'

export const milliseconds = (flag: string, text: string) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (match === null) throw new CliError(`${flag} expects a duration like 500ms, 15s or 2m, got "${text}"`)
  return Number(match[1]) * (match[2] === 'm' ? 60_000 : match[2] === 'ms' ? 1 : 1000)
}

/** `host:port`, `:port` or a port. */
function address(text: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(text.trim())
  if (match === null) throw new CliError(`--serve expects host:port or a port, got "${text}"`)
  return { host: match[1] || '127.0.0.1', port: Number(match[2]) }
}

const summary = (status: RolloutStatusReport) =>
  `${status.experiment}: ${status.status}, step ${Math.min(status.step, status.steps)}/${status.steps}, ${status.canary} at ${status.canaryWeight}%, revision ${status.revision}` +
  (status.reason && !status.decision.explanation.includes(status.reason) ? `\n  ${status.reason}` : '') +
  status.decision.explanation.map((line) => `\n  ${line}`).join('') +
  '\n'

async function remote(server: string, path: string, init: RequestInit = {}): Promise<RolloutStatusReport> {
  let response: Response
  try {
    response = await fetch(new URL(path, server.endsWith('/') ? server : `${server}/`), { ...init, signal: AbortSignal.timeout(30_000) })
  } catch (error) {
    throw new CliError(`cannot reach the controller at ${server}: ${(error as Error).message}`)
  }
  const body = (await response.json().catch(() => null)) as (RolloutStatusReport & { error?: string }) | null
  if (!response.ok || body === null) throw new CliError(`the controller answered ${response.status}: ${body?.error ?? 'no JSON'}`)
  return body
}

export function registerRollout(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const rollout = program.command('rollout').summary("run the fleet's rollout controller, or read and steer it")
  rollout
    .command('run')
    .description(
      'Runs a rollout for the whole fleet: judges Prometheus, writes the weights and the status into the config file\n' +
        '(atomically, compare-and-swap) and serves it with an ETag at /config for instances to poll. A restart resumes\n' +
        `from the file. Actions (POST /promote, /resume, /abort) need --token or ${TOKEN_ENV}.`,
    )
    .requiredOption('--plan <file>', 'rollout plan (JSON or YAML)')
    .requiredOption('-c, --config <file>', 'the config document (JSON or YAML); the controller writes it')
    .requiredOption('--prometheus <url>', 'Prometheus server, e.g. http://prometheus:9090')
    .option('--serve <addr>', 'serve /config, /status and the dashboard (/splitlane) on host:port (e.g. 0.0.0.0:8080)')
    .option('--token <token>', `bearer token for the actions (default: $${TOKEN_ENV})`)
    .option('--interval <duration>', 'time between ticks', '15s')
    .option('--step <duration>', 'range query step: one point per step and metric', '30s')
    .option('--settle <duration>', 'metrics this soon after a weight change are left out (two instance polls)', '60s')
    .option('--selector <matchers>', 'extra label matchers on every query, e.g. job="checkout"')
    .option('--once', 'tick once and exit (cron, CI, git-ops)')
    .addHelpText(
      'after',
      examples([
        'splitlane rollout run --plan plan.yaml --config config.yaml --prometheus http://prometheus:9090 --serve 0.0.0.0:8080',
        'splitlane rollout run --plan plan.yaml --config config.json --prometheus http://127.0.0.1:9090 --once',
      ]),
    )
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const plan = await loadPlan(options.plan as string)
      const path = options.config as string
      await loadConfig(path)
      const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase())
      const controller = createRolloutController({
        plan,
        configStore: createFileConfigStore(path),
        metricsSource: createPrometheusSource({ url: options.prometheus as string, selector: options.selector as string | undefined }),
        stepMs: milliseconds('--step', options.step as string),
        settleMs: milliseconds('--settle', options.settle as string),
        ...(yaml
          ? { codec: { parse: (text: string) => parseYaml(text) as unknown, stringify: (doc: unknown) => stringifyYaml(doc) } }
          : {}),
        onStatus: (status) => {
          if (status.decision.action !== 'none' && status.decision.action !== 'wait') io.out(summary(status))
        },
      })
      const first = await controller.tick()
      if (options.once === true) {
        io.out(summary(first))
        return setExit(EXIT.ok)
      }
      const token = (options.token as string | undefined) ?? process.env[TOKEN_ENV]
      const server =
        options.serve === undefined
          ? undefined
          : await serveController(controller, {
              ...address(options.serve as string),
              token,
              // the dashboard at /splitlane: this rollout, and per-variant series from the same Prometheus
              dashboard: {
                prometheus: { url: options.prometheus as string },
                ...(options.selector ? { selector: options.selector as string } : {}),
              },
            })
      if (server !== undefined)
        io.err(`serving ${server.url}/config, /status and the dashboard at /splitlane${token ? '' : ' (actions disabled: no token)'}\n`)
      controller.start(milliseconds('--interval', options.interval as string))
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await controller.stop()
      await server?.close()
      setExit(EXIT.ok)
    })
  rollout
    .command('status')
    .description('The rollout status, from a running controller (--server) or from the config file (--config).')
    .option('--server <url>', 'the controller, e.g. http://127.0.0.1:8080')
    .option('-c, --config <file>', 'the config document the controller writes')
    .option('--json', 'the status as JSON')
    .action(async (options: { server?: string; config?: string; json?: boolean }) => {
      let status: RolloutStatusReport | null
      if (options.server !== undefined) status = await remote(options.server, 'status')
      else if (options.config !== undefined) {
        const { input } = await loadConfig(options.config)
        status = (input as { rollout?: RolloutStatusReport }).rollout ?? null
      } else throw new CliError('status needs --server <url> or --config <file>')
      if (status === null) throw new CliError(`no rollout status in ${options.config ?? options.server}`)
      io.out(options.json ? json(status) : summary(status))
      setExit(status.status === 'rolled-back' ? EXIT.failed : EXIT.ok)
    })
  for (const action of ['promote', 'resume', 'abort'] as const)
    rollout
      .command(action)
      .description(`Asks the running controller to ${action} (needs its bearer token).`)
      .requiredOption('--server <url>', 'the controller, e.g. http://127.0.0.1:8080')
      .option('--token <token>', `bearer token (default: $${TOKEN_ENV})`)
      .option('--token-file <file>', 'read the bearer token from a file')
      .option('--reason <text>', 'recorded in the history')
      .action(async (options: { server: string; token?: string; tokenFile?: string; reason?: string }) => {
        const token = options.token ?? (options.tokenFile ? (await readFile(options.tokenFile, 'utf8')).trim() : process.env[TOKEN_ENV])
        if (!token) throw new CliError(`${action} needs --token, --token-file or $${TOKEN_ENV}`)
        const query = options.reason ? `?reason=${encodeURIComponent(options.reason)}` : ''
        io.out(
          summary(await remote(options.server, `${action}${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })),
        )
        setExit(EXIT.ok)
      })
}
