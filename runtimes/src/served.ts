// withSplitlane served by the runtime's own server (Bun.serve, Deno.serve, a workerd worker): a real request
// over a socket gets the variant header and a sticky cookie.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { assignmentsOf, withSplitlane } from '@splitlane/fetch'
import { COOKIE_SECRET, checkoutConfig } from './config.js'

export const servedHandler = <Rest extends unknown[] = []>() =>
  // The handler reads its assignment back from the runtime's own Request object (where withSplitlane keeps the split).
  withSplitlane<Rest>(
    (request: Request, ..._rest: Rest) =>
      new Response(`hello ${new URL(request.url).pathname}, checkout=${assignmentsOf(request)['checkout']?.variant}`),
    {
      splitter: createSplitter({ config: checkoutConfig }),
      metrics: createMetricsRecorder(),
      userIdHeader: 'x-user-id',
      cookie: { secret: COOKIE_SECRET },
    },
  )

/** Fetches a served handler twice (a known user, an anonymous visitor) and reports what came back. */
export async function fetchServed(url: string) {
  const known = await fetch(url, { headers: { 'x-user-id': 'user-42' } })
  const anonymous = await fetch(url)
  return {
    status: known.status,
    body: await known.text(),
    variant: known.headers.get('splitlane-variant'),
    anonymousCookie: /^splitlane_id=/.test(anonymous.headers.get('set-cookie') ?? ''),
    anonymousVariant: ((await anonymous.text()) && anonymous.headers.get('splitlane-variant')) || null,
  }
}
