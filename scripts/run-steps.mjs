#!/usr/bin/env node
// Runs README's test command step by step (`pnpm test`): says when each step starts, prints a
// heartbeat when a step has been quiet for 10 s (tsc and tsup print nothing until they end), and
// ends with each step's time, so a newcomer never waits in silence and sees where the time goes.
// Stops at the first failing step with its exit code.
import { spawn } from 'node:child_process'

/** Each step is a package.json script, so it can also be run alone (`pnpm typecheck`). */
const STEPS = [
  { name: 'build', script: 'build' },
  { name: 'typecheck', script: 'typecheck' },
  { name: 'lint', script: 'lint' },
  { name: 'tests', script: 'test:unit' },
]
const HEARTBEAT_MS = 10_000

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`
const started = performance.now()
const times = []

function run(name, script) {
  return new Promise((resolve) => {
    const stepStart = performance.now()
    let lastOutput = stepStart
    let midLine = false
    const child = spawn('pnpm', [script], {
      stdio: ['inherit', 'pipe', 'pipe'],
      env: process.stdout.isTTY ? { FORCE_COLOR: '1', ...process.env } : process.env,
    })
    const pass = (to) => (chunk) => {
      lastOutput = performance.now()
      midLine = !chunk.toString().endsWith('\n')
      to.write(chunk)
    }
    child.stdout.on('data', pass(process.stdout))
    child.stderr.on('data', pass(process.stderr))
    const heartbeat = setInterval(() => {
      const now = performance.now()
      if (now - lastOutput < HEARTBEAT_MS) return
      process.stdout.write(
        `${midLine ? '\n' : ''}… ${name} still running (${seconds(now - stepStart)} so far, ${seconds(now - started)} in all)\n`,
      )
      lastOutput = now
      midLine = false
    }, 1000)
    child.on('close', (code, signal) => {
      clearInterval(heartbeat)
      resolve({ code: code ?? (signal ? 1 : 0), ms: performance.now() - stepStart })
    })
  })
}

let exitCode = 0
for (const [index, { name, script }] of STEPS.entries()) {
  console.log(`\n▶ ${index + 1}/${STEPS.length} ${name}: pnpm ${script}`)
  const { code, ms } = await run(name, script)
  times.push([name, ms, code])
  if (code !== 0) {
    exitCode = code
    break
  }
}

console.log(`\n${exitCode === 0 ? 'All steps passed' : 'Failed'} in ${seconds(performance.now() - started)}:`)
for (const [name, ms, code] of times)
  console.log(`  ${name.padEnd(10)} ${seconds(ms).padStart(6)}${code === 0 ? '' : `  (failed, exit ${code})`}`)
process.exitCode = exitCode
