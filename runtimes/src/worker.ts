// A Cloudflare worker (run by workerd): the checks, withSplitlane served by workerd itself, and a mirror
// that settles only through ctx.waitUntil (the response is sent before the shadow answers).
import { createSplitter } from '@splitlane/core'
import { createSplitFetch } from '@splitlane/fetch'
import { runChecks } from './checks.js'
import { servedHandler } from './served.js'

interface Context {
  waitUntil(promise: Promise<unknown>): void
}
type Env = Record<string, string | undefined>

const served = servedHandler<[Env, Context]>()

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    const url = new URL(request.url)
    const upstream = url.searchParams.get('upstream') ?? ''
    if (url.pathname === '/checks') return Response.json(await runChecks({ upstream, env }))
    if (url.pathname === '/mirror') {
      const splitter = createSplitter({ config: { version: 1, experiments: { mirror: { variants: [{ name: 'only', weight: 100 }] } } } })
      const mirrored = createSplitFetch({
        splitter,
        experiment: 'mirror',
        key: () => 'user-1',
        shadow: { upstream: `${upstream}/shadow` },
        // ?wait=0 leaves waitUntil out: the test shows workerd then abandons the mirror
        ...(url.searchParams.get('wait') === '0' ? {} : { waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) }),
      })
      const response = await mirrored(`${upstream}/llm/a/slow-mirror`, { headers: { 'x-mirror-id': url.searchParams.get('id') ?? '' } })
      return new Response(await response.text())
    }
    return served(request, env, ctx)
  },
}
