// Bun and Deno: run the checks, serve withSplitlane on the runtime's own server, follow a config file
// (@splitlane/sources/node), print the results as JSON.
import { writeFile } from 'node:fs/promises'
import { createSplitter } from '@splitlane/core'
import { createFileConfigSource } from '@splitlane/sources/node'
import { runChecks } from './checks.js'
import { checkoutConfig, servedConfig } from './config.js'
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

/** The file config source: loads the file, then follows a change to it. */
async function fileSource(path: string) {
  const splitter = createSplitter({ config: checkoutConfig })
  const source = createFileConfigSource({ path, splitter })
  const first = await source.ready
  await writeFile(path, JSON.stringify({ ...servedConfig, revision: 10 }))
  const deadline = Date.now() + 5_000
  while (splitter.config.revision !== 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  source.close()
  return { first: first.revision, changed: splitter.config.revision }
}

const [upstream, configPath] = typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2)
const results = await runChecks({ upstream: upstream! })
const server = listen(servedHandler())
const served = await fetchServed(server.url)
await server.close()
console.log(JSON.stringify({ ...results, served, file: await fileSource(configPath!) }))
