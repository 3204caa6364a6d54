// What both adapter benchmarks share: the split under test and the two kinds of visitor.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'

/**
 * A returning visitor sends a user id and, among a browser's usual analytics and consent cookies, the sticky one;
 * a first visit sends neither, so an id is minted and set.
 */
export const RETURNING = {
  cookie:
    '_ga=GA1.1.1234567890.1763800000; _gid=GA1.2.987654321.1763800000; consent=%7B%22ads%22%3Afalse%7D; theme=dark; splitlane_id=3f2c9a7e-4b1d-4c1e-9f00-0123456789ab; lang=en',
  'x-user-id': 'user-42',
}
export const FIRST_VISIT = {}

/** Adapter options: one 10/10/80 experiment, a metrics recorder, the user id from `x-user-id`. */
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
  return { splitter, metrics: createMetricsRecorder(), userIdHeader: 'x-user-id' }
}
