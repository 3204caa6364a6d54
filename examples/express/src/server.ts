// A checkout canary on Express. The sticky cookie is signed with SPLITLANE_COOKIE_SECRET (without it the
// adapter refuses to start):
//   SPLITLANE_COOKIE_SECRET=$(openssl rand -base64 32) pnpm --filter @splitlane/example-express start
// then
//   curl -i localhost:3000/checkout                       (a new visitor: sticky cookie set)
//   curl -i -H 'x-user-id: qa-canary' localhost:3000/checkout   (forced into the canary by config)
//   curl localhost:3000/metrics                           (per-variant requests, errors, latency)
import { createMetricsRecorder, createSplitter } from '@splitlane/core'
import { byVariant, splitlane } from '@splitlane/express'
import express from 'express'

const splitter = createSplitter({
  config: {
    version: 1,
    revision: 1,
    experiments: {
      checkout: {
        variants: [
          { name: 'stable', weight: 90 },
          { name: 'canary', weight: 10 },
        ],
        overrides: { 'qa-canary': 'canary' },
      },
    },
  },
})
const metrics = createMetricsRecorder()

const app = express()
app.use(
  splitlane({
    splitter,
    metrics,
    userIdHeader: 'x-user-id', // set by your gateway; otherwise a sticky cookie keeps each visitor's variant
    onError: (error) => console.warn(error.code, error.message), // the request goes on with control
  }),
)
app.get(
  '/checkout',
  byVariant(
    {
      control: (_req, res) => void res.send('the checkout you know'), // the control variant, whatever its name
      canary: (req, res) => void res.send(`the new checkout (${req.splitlane?.['checkout']?.reason})`),
    },
    { splitter, experiment: 'checkout' }, // checked now against the config; required once it has several experiments
  ),
)
app.get('/metrics', (_req, res) => void res.json(metrics.snapshot()))

const server = app.listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
  const address = server.address()
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : ''}`)
})
