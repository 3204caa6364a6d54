import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { run } from '../src/program.js'

const BIN = fileURLToPath(new URL('../bin/splitlane.js', import.meta.url))

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the `splitlane` command in this process, as bin.ts does off a terminal (no colour, no
 * progress): the same `run`, the same output and exit code, without starting a Node process per
 * call. program.test.ts checks that each command gives the same answer as a real process.
 */
export async function splitlane(args: readonly string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    isTTY: false,
    progress: false,
  }).catch((error: unknown) => {
    stderr += `splitlane: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    return 70
  })
  return { code, stdout, stderr }
}

/** Runs the built `splitlane` command (bin/splitlane.js, which loads dist/bin.js) as a real child process. */
export function splitlaneProcess(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
      },
    )
  })
}

/** Starts the built `splitlane` command as a long-running child process (a controller); its output is collected. */
export function startSplitlaneProcess(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return { child, output: () => output }
}
