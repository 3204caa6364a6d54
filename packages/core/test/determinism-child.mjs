// Runs in a separate Node process against the built package and prints its assignments.
import { createSplitter } from '../dist/index.js'

let input = ''
for await (const chunk of process.stdin) input += chunk
const { config, keys } = JSON.parse(input)
const splitter = createSplitter({ config })
const rows = keys.map((key) => {
  const assignment = splitter.assign('checkout', { key })
  return [assignment.variant, assignment.hash]
})
process.stdout.write(JSON.stringify(rows))
