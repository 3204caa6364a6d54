// An Express gateway on 127.0.0.1 port 0 that splits each request and proxies it to its variant's upstream.
import { randomBytes } from 'node:crypto'
import { Agent, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { OutcomeRecorder, Splitter } from '@splitlane/core'
import { splitlane, proxyByVariant } from '@splitlane/express'
import express, { type RequestHandler } from 'express'

/** A version of the service: its name and where it listens. */
export interface Version {
  version: string
  url: string
}

export interface Gateway {
  url: string
  close(): Promise<void>
}

/**
 * The sticky cookie is signed, so a visitor cannot pick its own id (and variant). A real service sets
 * SPLITLANE_COOKIE_SECRET, the same on every instance; the demo makes one up when it is unset, which is
 * fine here: its cookies need not survive a restart (a new secret only gives returning visitors new ids).
 */
const cookieSecret = process.env['SPLITLANE_COOKIE_SECRET'] || randomBytes(32).toString('base64url')

export async function startGateway(options: {
  splitter: Splitter
  experiment: string
  metrics: OutcomeRecorder
  /** Runs after the split, before the proxy (the canary ramp ticks its rollout here). */
  onRequest?: () => void
}): Promise<Gateway> {
  const app = express()
  app.disable('x-powered-by')
  app.use(
    splitlane({
      splitter: options.splitter,
      experiments: [options.experiment],
      metrics: options.metrics,
      userIdHeader: 'x-user-id', // a known user; anonymous visitors get the sticky splitlane_id cookie
      cookie: { secret: cookieSecret },
      onError: (error) => console.error(`${error.code}: ${error.message}`),
    }),
  )
  const tick: RequestHandler = (_req, _res, next) => {
    options.onRequest?.()
    next()
  }
  app.use(tick, proxyByVariant({ experiment: options.experiment }))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const clientAgent = new Agent({ keepAlive: true })

/** One request through the gateway (node:http, kept alive): the variant header it set and the upstream's answer. */
export function visit(gateway: Gateway, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; variantHeader: string | undefined; cookie: string | undefined; body: string }>((resolve, reject) => {
    request(`${gateway.url}/hello`, { agent: clientAgent, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => {
        const variantHeader = response.headers['splitlane-variant']
        resolve({
          status: response.statusCode!,
          variantHeader: Array.isArray(variantHeader) ? variantHeader.join(',') : variantHeader,
          cookie: response.headers['set-cookie']?.[0]?.split(';')[0],
          body,
        })
      })
      response.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

/** Closes the client's idle kept-alive connections (so the process can exit). */
export const closeClient = () => clientAgent.destroy()
