// `pnpm --filter @splitlane/dashboard screenshots`: one PNG per view into docs/images/, taken in headless
// chromium against the same demo-like service the browser test uses; prints the page's transferred
// size and its time to first chart.
import { mkdirSync } from 'node:fs'
import puppeteer from 'puppeteer-core'
import { startDemoService, TOKEN } from '../test/fixture.js'

const out = new URL('../../../docs/images/', import.meta.url)
mkdirSync(out, { recursive: true })
const service = await startDemoService({ sampleMs: 250, refreshMs: 250 })
const browser = await puppeteer.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
})
try {
  const page = await browser.newPage()
  await page.setViewport({ width: 1100, height: 900, deviceScaleFactor: 1 })
  let bytes = 0
  page.on('response', (response) => {
    if (!response.url().includes('/api/'))
      void response
        .buffer()
        .then((body) => (bytes += body.length))
        .catch(() => {})
  })
  // some traffic, then a ramp to the plan's pause, with points spread over a few seconds
  for (let round = 0; round < 16; round++) {
    await service.traffic(40, `user-${round}-`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  for (let round = 0; round < 40 && service.rolloutStatus() === 'progressing'; round++) await service.traffic(20, `ramp-${round}-`)
  const started = performance.now()
  await page.goto(`${service.url}/splitlane`, { waitUntil: 'load' })
  await page.waitForSelector('figure[data-chart="rate"] canvas')
  const firstChartMs = performance.now() - started
  for (let round = 0; round < 8; round++) {
    await service.traffic(40, `late-${round}-`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await page.waitForSelector('tr[data-run]')
  await page.type('#key', 'user-42')
  await page.type('#attributes', 'country=DE')
  await page.click('#explain button')
  await page.type('#header', 'checkout=v2, assistant=large')
  await page.click('#decode button')
  await page.waitForSelector('li[data-decoded="assistant"]')
  await page.type('#token', TOKEN)
  await page.click('button[data-act="kill"][data-exp="assistant"]')
  await page.waitForSelector('button[data-act="revive"][data-exp="assistant"]')
  await page.click('button[data-act="revive"][data-exp="assistant"]')
  await page.waitForSelector('button[data-act="kill"][data-exp="assistant"]')
  await new Promise((resolve) => setTimeout(resolve, 400))
  for (const view of ['experiments', 'health', 'rollout', 'user', 'actions']) {
    const element = (await page.$(`#${view}`))!
    await element.screenshot({ path: new URL(`dashboard-${view}.png`, out).pathname })
  }
  await page.setViewport({ width: 390, height: 1100, deviceScaleFactor: 1 })
  await new Promise((resolve) => setTimeout(resolve, 500))
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: new URL('dashboard-phone.png', out).pathname })
  console.log(
    `page, script and styles: ${(bytes / 1024).toFixed(1)} KiB transferred uncompressed; first chart drawn ${firstChartMs.toFixed(0)} ms after navigation`,
  )
} finally {
  await browser.close()
  await service.close()
}
