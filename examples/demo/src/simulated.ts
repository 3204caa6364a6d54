// pnpm --filter @splitlane/example-demo simulate: 100,000 simulated users over a 10/10/80 split, one user's explanation, a canary
// ramp 1 -> 5 -> 25 -> 100 showing who moves at each step, and a targeting rule (beta users see
// the canary) with a 5% holdout, each explained. Everything runs in this process.
import { createSplitter, defineConfig } from '@splitlane/core'
import { sampleRatioMismatch } from '@splitlane/core/analysis'

const USERS = 100_000
const userIds = Array.from({ length: USERS }, (_, i) => `user-${i}`)

const config = defineConfig({
  version: 1,
  revision: 'demo-1',
  experiments: {
    helloworld: {
      variants: [
        { name: 'v1', weight: 10, value: 'http://127.0.0.1:9001' },
        { name: 'v2', weight: 10, value: 'http://127.0.0.1:9002' },
        { name: 'v3', weight: 80, value: 'http://127.0.0.1:9003' },
      ],
      control: 'v3',
    },
  },
})

const splitter = createSplitter({ config, onError: (error) => console.error(error.message) })

console.log(`\n1. Splitting ${USERS.toLocaleString('en')} users over helloworld v1/v2/v3 (10% / 10% / 80%)\n`)
const variants = config.experiments.helloworld.variants
const counts = variants.map(() => 0)
for (const id of userIds) counts[variants.findIndex((variant) => variant.name === splitter.variantOf('helloworld', id))]!++
const srm = sampleRatioMismatch(
  counts,
  variants.map((variant) => variant.weight),
)
console.log('   variant  configured  observed   users')
variants.forEach((variant, index) => {
  const configured = `${(srm.expectedShares[index]! * 100).toFixed(1)}%`
  const observed = `${(srm.observedShares[index]! * 100).toFixed(2)}%`
  console.log(
    `   ${variant.name.padEnd(8)} ${configured.padStart(10)} ${observed.padStart(9)} ${counts[index]!.toLocaleString('en').padStart(7)}`,
  )
})
console.log(
  `\n   sample-ratio check: chi-square ${srm.chiSquare.toFixed(3)}, p = ${srm.pValue.toFixed(4)} -> ${srm.mismatch ? 'MISMATCH (p < 0.001)' : 'no mismatch'}`,
)

console.log('\n2. Why did user-42 get its version?\n')
const assignment = splitter.assign('helloworld', { key: 'user-42' })
console.log(`   ${splitter.explain(assignment)}`)
console.log(`   -> route to ${JSON.stringify(assignment.value)}`)

console.log('\n3. A canary ramp 1% -> 5% -> 25% -> 100%: who moves at each step?\n')
const ramp = [1, 5, 25, 100]
const canaryAt = (percent: number) =>
  createSplitter({
    config: {
      version: 1,
      revision: `ramp-${percent}`,
      experiments: {
        release: {
          variants: [
            { name: 'stable', weight: 100 - percent },
            { name: 'canary', weight: percent },
          ],
        },
      },
    },
  })
let previous = userIds.map(() => 'stable')
let previousPercent = 0
console.log('   step    canary users   moved in   moved out   expected to move')
for (const percent of ramp) {
  const step = canaryAt(percent)
  const current = userIds.map((id) => step.variantOf('release', id)!)
  let movedIn = 0
  let movedOut = 0
  current.forEach((variant, index) => {
    if (variant === previous[index]) return
    if (variant === 'canary') movedIn++
    else movedOut++
  })
  const inCanary = current.filter((variant) => variant === 'canary').length
  const expected = Math.round(((percent - previousPercent) / 100) * USERS)
  console.log(
    `   ${`${percent}%`.padEnd(6)} ${inCanary.toLocaleString('en').padStart(13)} ${movedIn.toLocaleString('en').padStart(10)} ${movedOut
      .toLocaleString('en')
      .padStart(11)} ${`~${expected.toLocaleString('en')}`.padStart(18)}`,
  )
  previous = current
  previousPercent = percent
}
console.log('\n   No user ever left the canary: each step only moves the new share in (monotone ramp).\n')

console.log('4. Targeting and a holdout: beta users see the canary; 5% of users are held out of everything\n')
const targeted = createSplitter({
  config: defineConfig({
    version: 1,
    revision: 'demo-targeting',
    holdout: 5,
    segments: { beta: { attribute: 'groups', op: 'in', values: ['beta'] } },
    experiments: {
      release: {
        variants: [
          { name: 'stable', weight: 95 },
          { name: 'canary', weight: 5 },
        ],
        rules: [{ id: 'beta-canary', when: { segment: 'beta' }, variant: 'canary' }],
      },
    },
  }),
})
// every tenth user is a beta tester
const contextOf = (index: number) => ({ key: userIds[index]!, attributes: { groups: index % 10 === 0 ? ['beta'] : ['customer'] } })
const tally = { beta: { canary: 0, total: 0 }, others: { canary: 0, total: 0 }, heldOut: 0 }
userIds.forEach((_, index) => {
  const assignment = targeted.assign('release', contextOf(index))
  if (assignment.reason === 'holdout') return void tally.heldOut++
  const group = index % 10 === 0 ? tally.beta : tally.others
  group.total++
  if (assignment.variant === 'canary') group.canary++
})
const share = (part: number, whole: number) => `${((part / whole) * 100).toFixed(2)}%`
console.log(`   held out (control everywhere):   ${share(tally.heldOut, USERS)} of users (configured 5%)`)
console.log(`   beta users outside the holdout:  ${share(tally.beta.canary, tally.beta.total)} on the canary`)
console.log(`   other users outside the holdout: ${share(tally.others.canary, tally.others.total)} on the canary (weight 5%)\n`)
const explainUser = (index: number) => {
  const context = contextOf(index)
  console.log(`   ${targeted.explain(targeted.assign('release', context), context)}\n`)
}
const firstWhere = (test: (index: number) => boolean) => userIds.findIndex((_, index) => test(index))
const reasonOf = (index: number) => targeted.assign('release', contextOf(index)).reason
explainUser(firstWhere((index) => index % 10 === 0 && reasonOf(index) === 'rule'))
explainUser(firstWhere((index) => index % 10 !== 0 && reasonOf(index) === 'split'))
explainUser(firstWhere((index) => reasonOf(index) === 'holdout'))
console.log('   The holdout comes first: a beta tester who is held out sees control, like everyone held out.\n')
