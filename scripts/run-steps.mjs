#!/usr/bin/env node
// Runs README's test command step by step (`pnpm test`): says when each step starts, prints a
// heartbeat when a step has been quiet for 10 s (tsc and tsup print nothing until they end), and
// ends with each step's time, so a newcomer never waits in silence and sees where the time goes.
// Stops at the first failing step with its exit code.
import { spawn } from 'node:child_process'

/** Each step is package.json scripts, so each can also be run alone (`pnpm typecheck`). */
const STEPS = [
  { name: 'build', scripts: ['build'] },
  { name: 'typecheck', scripts: ['typecheck'] },
  // ESLint is one thread and the package checks mostly wait on `pnpm pack`: side by side they use both cores
  { name: 'lint', scripts: ['lint:code', 'lint:packages'] },
  // bundle sizes against their budgets (esbuild + gzip -9 of the built packages, a few seconds)
  { name: 'size', scripts: ['size'] },
  { name: 'tests', scripts: ['test:unit'] },
  // the same checks on Bun, Deno, workerd and headless Chromium (their binaries from npm, chromium from the OS)
  { name: 'runtimes', scripts: ['test:runtimes'] },
]
const HEARTBEAT_MS = 10_000

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`
const started = performance.now()
const times = []

/** Runs a step's scripts side by side (whole lines each, so their output does not mix mid-line). */
function run(name, scripts) {
  const stepStart = performance.now()
  let lastOutput = stepStart
  let midLine = false
  const write = (to, text) => {
    lastOutput = performance.now()
    midLine = !text.endsWith('\n')
    to.write(text)
  }
  const heartbeat = setInterval(() => {
    const now = performance.now()
    if (now - lastOutput < HEARTBEAT_MS) return
    write(
      process.stdout,
      `${midLine ? '\n' : ''}… ${name} still running (${seconds(now - stepStart)} so far, ${seconds(now - started)} in all)\n`,
    )
  }, 1000)
  const runOne = (script) =>
    new Promise((resolve) => {
      const child = spawn('pnpm', [script], {
        stdio: ['inherit', 'pipe', 'pipe'],
        env: process.stdout.isTTY ? { FORCE_COLOR: '1', ...process.env } : process.env,
      })
      const pass = (from, to) => {
        let pending = ''
        from.on('data', (chunk) => {
          if (scripts.length === 1) return write(to, chunk.toString())
          pending += chunk.toString()
          const end = pending.lastIndexOf('\n') + 1
          if (end > 0) write(to, pending.slice(0, end))
          pending = pending.slice(end)
        })
        from.on('end', () => pending !== '' && write(to, `${pending}\n`))
      }
      pass(child.stdout, process.stdout)
      pass(child.stderr, process.stderr)
      child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
    })
  return Promise.all(scripts.map(runOne)).then((codes) => {
    clearInterval(heartbeat)
    return { code: codes.find((code) => code !== 0) ?? 0, ms: performance.now() - stepStart }
  })
}

let exitCode = 0
for (const [index, { name, scripts }] of STEPS.entries()) {
  console.log(`\n▶ ${index + 1}/${STEPS.length} ${name}: ${scripts.map((script) => `pnpm ${script}`).join(' & ')}`)
  const { code, ms } = await run(name, scripts)
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
