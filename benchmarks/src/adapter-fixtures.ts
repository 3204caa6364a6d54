// What both adapter benchmarks share: the split under test and the two kinds of visitor.
import { createMetricsRecorder, createSplitter } from '@splitlane/core'

/** A returning visitor sends the sticky cookie and a user id; a first visit sends neither, so an id is minted and set. */
export const RETURNING = { cookie: 'splitlane_id=3f2c9a7e-bench', 'x-user-id': 'user-42' }
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
