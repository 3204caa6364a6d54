// Bun and Deno: run the checks, serve withSplitlane on the runtime's own server, print the results as JSON.
import { runChecks } from './checks.js'
import { fetchServed, servedHandler } from './served.js'

type Handler = (request: Request) => Response | Promise<Response>
interface Listening {
  url: string
  close: () => Promise<unknown>
}
declare const Bun: { serve(options: { port: number; hostname: string; fetch: Handler }): { port: number; stop(): unknown } } | undefined
declare const Deno:
  | {
      args: string[]
      serve(
        options: { port: number; hostname: string; onListen: () => void },
        handler: Handler,
      ): {
        addr: { port: number }
        shutdown(): Promise<void>
      }
    }
  | undefined

function listen(handler: Handler): Listening {
  if (typeof Bun !== 'undefined') {
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler })
    return { url: `http://127.0.0.1:${server.port}/served`, close: () => Promise.resolve(server.stop()) }
  }
  const server = Deno!.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, handler)
  return { url: `http://127.0.0.1:${server.addr.port}/served`, close: () => server.shutdown() }
}

const upstream = typeof Deno !== 'undefined' ? Deno.args[0]! : process.argv[2]!
const results = await runChecks({ upstream })
const server = listen(servedHandler())
const served = await fetchServed(server.url)
await server.close()
console.log(JSON.stringify({ ...results, served }))
