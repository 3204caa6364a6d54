import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSplitter, type SplitlaneConfig } from '@splitlane/core'
import { createDashboard } from '@splitlane/dashboard'
import { toNodeHandler } from '@splitlane/dashboard/node'
import { controllerStatusClient, createFleetDashboardData } from '@splitlane/prometheus'
import { createUrlConfigSource } from '@splitlane/sources'
import type { Command } from 'commander'
import { CliError, type CliIo } from '../io.js'
import { loadConfig } from '../load.js'
import { examples } from '../output.js'
import { milliseconds, TOKEN_ENV } from './rollout.js'

interface DashboardOptions {
  config: string
  port: string
  host: string
  token?: string
  prometheus?: string
  controller?: string
  controllerToken?: string
  selector?: string
  step: string
  range: string
}

/** `splitlane dashboard`: serves the dashboard for a config file or URL (polled with ETags) until interrupted. */
export function registerDashboard(program: Command, io: CliIo, _setExit: (code: number) => void, signal?: AbortSignal): void {
  program
    .command('dashboard')
    .summary('serve the dashboard for a config file or URL')
    .description(
      'Serve the splitlane dashboard (experiments, weights, one-user lookup, header decode) for a config file or a config URL,\n' +
        'which is polled with ETags. Read-only unless --token (or SPLITLANE_DASHBOARD_TOKEN) is given. Stops on Ctrl-C.\n' +
        'Fleet view: --prometheus charts each variant from Prometheus; --controller shows a running rollout controller\n' +
        `(its /status) and forwards resume / promote / abort to it with --controller-token (default: $${TOKEN_ENV}).`,
    )
    .requiredOption('--config <file|url>', 'config file (.json, .yaml) or http(s) URL')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', 'bearer token that allows actions (default: $SPLITLANE_DASHBOARD_TOKEN)')
    .option('--prometheus <url>', 'per-variant series from this Prometheus, e.g. http://prometheus:9090')
    .option('--controller <url>', 'the rollout from this controller (splitlane rollout run --serve), e.g. http://127.0.0.1:8080')
    .option('--controller-token <token>', `bearer token the actions are forwarded with (default: $${TOKEN_ENV})`)
    .option('--selector <matchers>', 'extra label matchers on every Prometheus query, e.g. job="checkout"')
    .option('--step <duration>', 'one chart point per step (fleet view)', '15s')
    .option('--range <duration>', 'how far back the charts go (fleet view)', '30m')
    .addHelpText(
      'after',
      examples([
        'splitlane dashboard --config splitlane.yaml',
        'splitlane dashboard --config https://config.example/splitlane.json --port 9000',
        'splitlane dashboard --config http://controller:8080/config --prometheus http://prometheus:9090 --controller http://controller:8080',
      ]),
    )
    .action(async (options: DashboardOptions) => {
      const port = Number(options.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port must be an integer 0..65535, got "${options.port}"`)
      const stepMs = milliseconds('--step', options.step)
      const rangeMs = milliseconds('--range', options.range)
      const remote = /^https?:\/\//.test(options.config)
      const splitter = createSplitter({
        config: remote ? { version: 1, experiments: {} } : ((await loadConfig(options.config)).input as SplitlaneConfig),
      })
      const source = remote ? createUrlConfigSource({ url: options.config, splitter, intervalMs: 5000 }) : undefined
      const first = await source?.ready
      if (first?.lastError) {
        source!.close()
        throw new CliError(`could not load ${options.config}: ${first.lastError.message}`)
      }
      const token = options.token ?? process.env['SPLITLANE_DASHBOARD_TOKEN']
      const controllerToken = options.controllerToken ?? process.env[TOKEN_ENV]
      const fleet =
        options.prometheus === undefined && options.controller === undefined
          ? undefined
          : createFleetDashboardData({
              ...(options.prometheus ? { prometheus: { url: options.prometheus } } : {}),
              ...(options.controller
                ? { rollout: controllerStatusClient({ url: options.controller, ...(controllerToken ? { token: controllerToken } : {}) }) }
                : {}),
              ...(options.selector ? { selector: options.selector } : {}),
              experiments: () => Object.keys(splitter.config.experiments),
              stepMs,
              rangeMs,
            })
      const dashboard = createDashboard({ splitter, ...(token ? { token } : {}), ...(fleet ? { fleet } : {}) })
      const node = toNodeHandler(dashboard)
      const server = createServer((req, res) => {
        void node(req, res, () => {
          res.writeHead(302, { location: dashboard.basePath }).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(port, options.host, resolve))
      const { port: bound } = server.address() as AddressInfo
      io.out(
        `splitlane dashboard: http://${options.host}:${bound}${dashboard.basePath} (${fleet ? 'fleet view; ' : ''}${token ? 'actions need the token' : 'read-only'}; Ctrl-C stops)\n`,
      )
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        signal?.addEventListener('abort', stop)
      })
      source?.close()
      await new Promise((resolve) => server.close(resolve))
    })
}
