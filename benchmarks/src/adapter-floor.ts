// The floor (b) for every adapter: hand-written middleware doing only the essential work of a sticky
// split, so that what splitlane costs beyond it, (c) - (b), is the figure that counts. Per request:
// read the sticky cookie (one indexOf and a slice), take the key (user id header, else the cookie,
// else a fresh id), hash it with splitlane's `murmur3`, choose one of 10/10/80, set the variant
// header and, for a fresh id, the sticky cookie, signed (HMAC-SHA256, as splitlane signs it by default:
// an id in clear lets a visitor pick its variant). No metrics, no telemetry, no validation.
import { randomUUID } from 'node:crypto'
import { murmur3 } from '@splitlane/core'
import { BENCH_COOKIE_SECRET, benchCookieSignature } from './adapter-fixtures.js'
import type { RequestHandler } from 'express'
import type { FastifyInstance } from 'fastify'

const COOKIE = 'splitlane_id='
const COOKIE_ATTRIBUTES = '; Max-Age=34560000; Path=/; HttpOnly; SameSite=Lax'

function cookieId(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const at = header.indexOf(COOKIE)
  if (at === -1) return undefined
  const end = header.indexOf(';', at)
  return header.slice(at + COOKIE.length, end === -1 ? undefined : end)
}

/** The variant header's value and, for a first visit, the Set-Cookie value. */
export function floorDecision(userId: string | undefined, cookie: string | undefined): { variant: string; setCookie?: string } {
  const sticky = cookieId(cookie)
  const fresh = userId === undefined && sticky === undefined ? randomUUID() : undefined
  const bucket = murmur3(userId ?? sticky ?? fresh!) % 100
  const variant = bucket < 10 ? 'helloworld=v1' : bucket < 20 ? 'helloworld=v2' : 'helloworld=v3'
  if (fresh === undefined) return { variant }
  return { variant, setCookie: `${COOKIE}${encodeURIComponent(benchCookieSignature.sign(fresh, BENCH_COOKIE_SECRET))}${COOKIE_ATTRIBUTES}` }
}

const text = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined)

export const expressFloor: RequestHandler = (req, res, next) => {
  const decision = floorDecision(text(req.headers['x-user-id']), req.headers.cookie)
  res.setHeader('splitlane-variant', decision.variant)
  if (decision.setCookie !== undefined) res.setHeader('set-cookie', decision.setCookie)
  next()
}

export function fastifyFloor(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, next) => {
    const decision = floorDecision(text(request.headers['x-user-id']), request.headers.cookie)
    void reply.header('splitlane-variant', decision.variant)
    if (decision.setCookie !== undefined) void reply.header('set-cookie', decision.setCookie)
    next()
  })
}

export function fetchFloor(handler: (request: Request) => Response | Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    const decision = floorDecision(request.headers.get('x-user-id') ?? undefined, request.headers.get('cookie') ?? undefined)
    const response = await handler(request)
    response.headers.set('splitlane-variant', decision.variant)
    if (decision.setCookie !== undefined) response.headers.append('set-cookie', decision.setCookie)
    return response
  }
}
