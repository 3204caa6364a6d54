// What both adapter benchmarks share: the split under test and the two kinds of visitor.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createMetricsRecorder, createSplitter } from '@splitlane/core'

/** The adapters sign the sticky cookie by default; the benchmarks measure that default, with this secret. */
export const BENCH_COOKIE_SECRET = 'bench-cookie-secret'

/** cookie-signature's format (what the adapters sign with), for `createHttpSplit` used directly. */
export const benchCookieSignature = {
  sign: (value: string, secret: string) => `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`,
  unsign: (signed: string, secret: string): string | false => {
    const value = signed.slice(0, signed.lastIndexOf('.'))
    const expected = Buffer.from(benchCookieSignature.sign(value, secret))
    const given = Buffer.from(signed)
    return expected.length === given.length && timingSafeEqual(expected, given) ? value : false
  },
}
const stickyValue = encodeURIComponent(benchCookieSignature.sign('3f2c9a7e-4b1d-4c1e-9f00-0123456789ab', BENCH_COOKIE_SECRET))

/**
 * A returning visitor sends a user id and, among a browser's usual analytics and consent cookies, the sticky one;
 * a first visit sends neither, so an id is minted and set.
 */
export const RETURNING = {
  cookie: `_ga=GA1.1.1234567890.1763800000; _gid=GA1.2.987654321.1763800000; consent=%7B%22ads%22%3Afalse%7D; theme=dark; splitlane_id=${stickyValue}; lang=en`,
  'x-user-id': 'user-42',
}
export const FIRST_VISIT = {}

/** Adapter options: one 10/10/80 experiment, a metrics recorder, the user id from `x-user-id`, the cookie's secret. */
export function benchAdapterOptions() {
  const splitter = createSplitter({
    config: {
      version: 1,
      experiments: {
        helloworld: {
          variants: [
            { name: 'v1', weight: 10 },
            { name: 'v2', weight: 10 },
            { name: 'v3', weight: 80 },
          ],
        },
      },
    },
  })
  return { splitter, metrics: createMetricsRecorder(), userIdHeader: 'x-user-id', cookie: { secret: BENCH_COOKIE_SECRET } }
}
