// A real Prometheus for tests: the `prometheus` binary (Debian's package) on 127.0.0.1, a generated
// config scraping the given targets every second, storage in a temporary directory. `close()` stops
// it and deletes the storage.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface StartPrometheusOptions {
  /** `host:port` targets scraped at `/metrics` every `scrapeIntervalS` (default 1). */
  targets: readonly string[]
  scrapeIntervalS?: number
  /** Rule files (paths) Prometheus loads and evaluates every `scrapeIntervalS`. */
  ruleFiles?: readonly string[]
  /** Give up waiting for /-/ready after this long (default 20 s). */
  readyTimeoutMs?: number
}

/**
 * A started Prometheus. `startPrometheus` returns once every target has been scraped once: Prometheus
 * hands new targets to its scrapers only every 5 s, so the first scrape comes up to ~5 s after ready.
 */
export interface PrometheusHandle {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Waits until every target has been scraped at least `scrapes` times since now (default 1). */
  waitForScrapes(scrapes?: number): Promise<void>
  close(): Promise<void>
}

/** A port nobody listens on now (Prometheus cannot take port 0). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusHandle> {
  const interval = options.scrapeIntervalS ?? 1
  const dir = await mkdtemp(join(tmpdir(), 'splitlane-prometheus-'))
  const config = [
    'global:',
    `  scrape_interval: ${interval}s`,
    `  evaluation_interval: ${interval}s`,
    ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
    'scrape_configs:',
    '  - job_name: splitlane',
    '    static_configs:',
    `      - targets: [${options.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
  ].join('\n')
  await writeFile(join(dir, 'prometheus.yml'), config)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let output = ''
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let spawnError: Error | undefined
  child.once('error', (error) => (spawnError = error))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000)
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null) {
      await close()
      throw new Error(`prometheus did not start (${spawnError?.message ?? `exit ${child.exitCode}`}): ${output}`)
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      await close()
      throw new Error(`prometheus was not ready within ${options.readyTimeoutMs ?? 20_000} ms: ${output}`)
    }
    await sleep(100)
  }
  async function scrapeTimes(): Promise<number[]> {
    const response = await fetch(`${url}/api/v1/targets`)
    const body = (await response.json()) as { data: { activeTargets: { lastScrape: string; health: string }[] } }
    return body.data.activeTargets.map((target) => (target.health === 'up' ? Date.parse(target.lastScrape) : 0))
  }
  const handle: PrometheusHandle = {
    url,
    async waitForScrapes(scrapes = 1) {
      const since = Date.now()
      const until = since + 10_000 + scrapes * interval * 1000
      // Scrapes are `interval` apart: the last one after `since + (scrapes - 1) × interval` means `scrapes` happened.
      const after = since + (scrapes - 1) * interval * 1000
      while (Date.now() < until) {
        const times = await scrapeTimes()
        if (times.length === options.targets.length && times.every((time) => time > after)) return
        await sleep(200)
      }
      throw new Error(`prometheus did not scrape every target ${scrapes} time(s) within the wait`)
    },
    close,
  }
  try {
    await handle.waitForScrapes(1)
  } catch (error) {
    await close()
    throw error
  }
  return handle
}
