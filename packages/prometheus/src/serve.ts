// The controller over HTTP: the config document with an ETag (what `createUrlConfigSource` polls),
// the status for anyone, and promote / abort / resume for holders of the bearer token.
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeHandler } from '@splitlane/dashboard/node'
import type { RolloutController } from './controller.js'
import { controllerDashboard, type ControllerDashboardOptions } from './dashboard.js'
import { quote } from './source.js'

export interface ServeControllerOptions {
  /** Default 127.0.0.1; port 0 picks a free one. */
  host?: string
  port?: number
  /** Bearer token for the actions (the dashboard's too); without one the actions answer 403. */
  token?: string
  /** Serve the dashboard at `/splitlane` (or `basePath`): the rollout from this controller, per-variant series from `prometheus`. */
  dashboard?: ControllerDashboardOptions
}

export interface ControllerServer {
  /** `http://host:port`; the document is at `/config`, the status at `/status`. */
  url: string
  close(): Promise<void>
}

const digest = (text: string) => createHash('sha256').update(text).digest()

function authorized(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? ''
  const match = /^Bearer\s+(.+)$/i.exec(header)
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), digest(token))
}

const send = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...headers })
  response.end(body)
}

/** The rollout as Prometheus gauges, for the dashboard's weight-over-time panel. */
function metricsText(controller: RolloutController): string {
  const status = controller.status()
  if (status === null) return ''
  const labels = `experiment="${quote(status.experiment)}",canary="${quote(status.canary)}",baseline="${quote(status.baseline)}"`
  return [
    '# HELP splitlane_rollout_canary_weight_percent Canary share the controller has written, in percent.',
    '# TYPE splitlane_rollout_canary_weight_percent gauge',
    `splitlane_rollout_canary_weight_percent{${labels}} ${status.canaryWeight}`,
    '# HELP splitlane_rollout_step Current step of the plan (1-based).',
    '# TYPE splitlane_rollout_step gauge',
    `splitlane_rollout_step{${labels}} ${status.step}`,
    '# HELP splitlane_rollout_status 1 for the rollout status in force.',
    '# TYPE splitlane_rollout_status gauge',
    ...(['progressing', 'paused', 'promoted', 'rolled-back'] as const).map(
      (name) => `splitlane_rollout_status{${labels},status="${name}"} ${status.status === name ? 1 : 0}`,
    ),
    '',
  ].join('\n')
}

/** The request handler alone, to mount in a server of your own. */
export function controllerHandler(controller: RolloutController, options: Pick<ServeControllerOptions, 'token' | 'dashboard'> = {}) {
  const actions = {
    promote: (reason?: string) => controller.promote(reason),
    abort: (reason?: string) => controller.abort(reason),
    resume: () => controller.resume(),
  }
  const dashboard =
    options.dashboard &&
    toNodeHandler(controllerDashboard(controller, { ...options.dashboard, ...(options.token ? { token: options.token } : {}) }))
  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://controller')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    if (dashboard && path.startsWith(options.dashboard!.basePath ?? '/splitlane'))
      return void dashboard(request, response, () => send(response, 404, JSON.stringify({ error: `no ${request.method} ${path}` })))
    if (request.method === 'GET' && (path === '/config' || path === '/')) {
      const document = controller.document()
      if (document === null) return send(response, 503, JSON.stringify({ error: 'no document yet' }))
      const etag = `"${digest(document).toString('hex').slice(0, 20)}"`
      if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end()
      return send(response, 200, document, { etag })
    }
    if (request.method === 'GET' && path === '/status') return send(response, 200, JSON.stringify(controller.status()))
    if (request.method === 'GET' && path === '/metrics')
      return send(response, 200, metricsText(controller), { 'content-type': 'text/plain; version=0.0.4' })
    const action = path.slice(1)
    if (request.method === 'POST' && (action === 'promote' || action === 'abort' || action === 'resume')) {
      if (options.token === undefined || options.token === '')
        return send(response, 403, JSON.stringify({ error: 'actions are disabled: start the controller with a token' }))
      if (!authorized(request, options.token))
        return send(response, 401, JSON.stringify({ error: 'an action needs Authorization: Bearer <token>' }), {
          'www-authenticate': 'Bearer',
        })
      const reason = url.searchParams.get('reason')?.slice(0, 500) || undefined
      actions[action](reason).then(
        (status) => send(response, 200, JSON.stringify(status)),
        (error: unknown) => send(response, 500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
      )
      request.resume()
      return
    }
    send(
      response,
      404,
      JSON.stringify({ error: `no ${request.method} ${path}: GET /config, GET /status, GET /metrics, POST /promote|/abort|/resume` }),
    )
  }
}

export async function serveController(controller: RolloutController, options: ServeControllerOptions = {}): Promise<ControllerServer> {
  const server = createServer(controllerHandler(controller, options))
  server.requestTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
