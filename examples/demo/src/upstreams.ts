// The versions the demo routes to, in a worker thread of their own: helloworld v1, v2, v3, a v2 with
// a fault injected (every third request answers 503), a version that never answers, and a local
// OpenAI-compatible server. Off the main thread, they leave it to the gateway and the clients.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isMainThread, parentPort, Worker } from 'node:worker_threads'
// (the subpaths, not the package's entry, which loads vitest and the OpenTelemetry SDK for the adapter tests)
import { startFakeOpenAi } from '@splitlane/test-utils/fake-openai'
import { startHelloworld } from '@splitlane/test-utils/helloworld'

export interface Upstreams {
  v1: string
  v2: string
  v3: string
  faultyV2: string
  hanging: string
  openai: string
}

/** Starts the upstreams' worker; resolves with their URLs and a way to stop them. */
export async function startUpstreams(): Promise<Upstreams & { close(): Promise<void> }> {
  // The worker runs this TypeScript file too, so it registers tsx first, as the main thread did.
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}) })`
  const worker = new Worker(source, { eval: true })
  const urls = await new Promise<Upstreams>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return {
    ...urls,
    close: async () => {
      worker.postMessage('close')
      await new Promise((resolve) => worker.once('exit', resolve))
    },
  }
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort
  const [v1, v2, v3, openai] = await Promise.all([
    startHelloworld('v1'),
    startHelloworld('v2'),
    startHelloworld('v3'),
    startFakeOpenAi({ chunkDelayMs: 5 }),
  ])
  let requests = 0
  const faultyV2 = await listen(
    createServer((_request, response) => {
      const failing = ++requests % 3 === 0
      response.writeHead(failing ? 503 : 200, { 'content-type': 'text/plain', 'x-version': 'v2' })
      response.end(failing ? 'v2 failed' : 'Hello version: v2')
    }),
  )
  const hanging = await listen(createServer(() => {}))
  port.postMessage({
    v1: v1.url,
    v2: v2.url,
    v3: v3.url,
    faultyV2: faultyV2.url,
    hanging: hanging.url,
    openai: openai.url,
  } satisfies Upstreams)
  port.once('message', () => {
    void Promise.all([v1, v2, v3, openai, faultyV2, hanging].map((server) => server.close())).then(() => port.close())
  })
}
