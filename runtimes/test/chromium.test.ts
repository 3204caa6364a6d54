import { existsSync } from 'node:fs'
import puppeteer, { type Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CheckOptions, CheckResults } from '../src/checks.js'
import { bundlePath } from './bundle.js'
import { expectLikeNode, nodeResults } from './expect.js'
import { startUpstream, type Upstream } from './upstream.js'

// Debian's chromium (`.ci/run` installs it when missing); CHROMIUM_PATH points elsewhere.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let upstream: Upstream
let browser: Browser
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`)
  upstream = await startUpstream(bundlePath('browser'))
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
})
afterAll(async () => {
  await browser?.close()
  await upstream?.close()
})

describe('headless Chromium (a page that bundles core, fetch and sources from dist)', () => {
  it('matches Node: assignments, explain, WebCrypto override tokens, LLM split and shadow (same origin), URL config source; no env in a browser', async () => {
    const node = await nodeResults(upstream)
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${upstream.url}/`)
    await page.waitForFunction(() => 'runChecks' in globalThis)
    const results = await page.evaluate(
      (upstreamUrl) =>
        (globalThis as unknown as { runChecks: (options: CheckOptions) => Promise<CheckResults> }).runChecks({ upstream: upstreamUrl }),
      upstream.url,
    )
    expect(errors).toEqual([])
    expectLikeNode(results, node, 'missing', { browser: true }) // a page has no process.env: `${UPSTREAM_KEY}` is missing, the call goes to control
  })
})
