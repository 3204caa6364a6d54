import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'

/** Starts an example server on port 0, returns its URL and a way to stop it. */
async function startExample(file: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: new URL('./', import.meta.url),
    env: { ...process.env, PORT: '0', SPLITLANE_COOKIE_SECRET: 'examples-test-secret' }, // as their header says to run them
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString()
    const match = /listening on (http:\/\/\S+)/.exec(output)
    if (match !== null) return { url: match[1]!, stop: () => child.kill() }
  }
  await once(child, 'exit')
  throw new Error(`${file} exited before listening:\n${output}`)
}

describe.each(['express', 'fastify'])('examples/%s', (framework) => {
  it('splits, sticks, routes by variant and counts per variant', async () => {
    const { url, stop } = await startExample(`${framework}/src/server.ts`)
    try {
      const visitor = await fetch(`${url}/checkout`)
      const [cookie] = visitor.headers.getSetCookie()
      expect(cookie).toMatch(/^splitlane_id=[\w-]+\.[\w%]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/) // signed
      const variant = visitor.headers.get('splitlane-variant')!
      const again = await fetch(`${url}/checkout`, { headers: { cookie: cookie!.split(';')[0]! } })
      expect(again.headers.get('splitlane-variant')).toBe(variant)
      expect(await again.text()).toBe(await visitor.text())

      const forced = await fetch(`${url}/checkout`, { headers: { 'x-user-id': 'qa-canary' } })
      expect(forced.headers.get('splitlane-variant')).toBe('checkout=canary')
      expect(await forced.text()).toBe('the new checkout (override)')

      const metrics = (await (await fetch(`${url}/metrics`)).json()) as {
        experiments: Record<string, Record<string, { requests: number; excluded: { requests: number } }>>
      }
      const checkout = metrics.experiments['checkout']!
      // The two split visits count for analysis; the forced one is kept apart (excluded), so it cannot skew the split.
      expect(checkout['canary']!.excluded.requests).toBe(1)
      expect(checkout['canary']!.requests + (checkout['stable']?.requests ?? 0)).toBe(2)
    } finally {
      stop()
    }
  })
})
