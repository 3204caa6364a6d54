import { createSplitter } from '@splitlane/core'

const splitter = createSplitter({
  config: {
    version: 1,
    revision: 7,
    experiments: {
      checkout: {
        variants: [
          { name: 'stable', weight: 95 },
          { name: 'canary', weight: 5, value: 'http://checkout-canary' },
        ],
      },
    },
  },
  onError: (error) => console.warn(error.code, error.message), // the request path never throws
})

const assignment = splitter.assign('checkout', { key: 'user-42', attributes: { country: 'DE' } })
console.log(assignment.variant, assignment.value, splitter.explain(assignment))
splitter.variantOf('checkout', 'user-42') // the allocation-free fast path

// A bad config never replaces a good one: update reports why and keeps revision 7.
const rejected = splitter.update({ version: 1, experiments: { checkout: { variants: [{ name: 'stable', weight: -1 }] } } })
console.log(rejected.ok ? 'updated' : `kept revision ${splitter.revision}: ${rejected.error.message}`)
