// Output for the demo: headings, aligned tables, checks. Colour only on a TTY (and never with NO_COLOR).
const colour = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined
const paint = (code: number) => (text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text)
export const bold = paint(1)
export const dim = paint(2)
const green = paint(32)
const red = paint(31)

const failures: string[] = []
let checks = 0

export function heading(number: number, title: string): void {
  console.log(`\n${bold(`${number}. ${title}`)}\n`)
}

export function line(text = ''): void {
  console.log(text === '' ? '' : `   ${text}`)
}

/** A table; columns whose header starts with a space are right-aligned (numbers). */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = rows.map((row) => row.map(String))
  const widths = headers.map((header, column) => Math.max(header.trim().length, ...cells.map((row) => row[column]!.length)))
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => (headers[column]!.startsWith(' ') ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd()
  line(bold(format(headers.map((header) => header.trim()))))
  for (const row of cells) line(format(row))
}

/** A check the demo makes about what it just did; any failure makes the demo exit 1. */
export function check(ok: boolean, what: string): void {
  checks++
  if (!ok) failures.push(what)
  line(`${ok ? green('✓') : red('✗')} ${what}`)
}

/** Prints the result of every check and sets the exit code. */
export function summary(seconds: number): void {
  console.log()
  if (failures.length === 0) console.log(bold(green(`All ${checks} checks passed in ${seconds.toFixed(1)} s.`)))
  else {
    console.log(bold(red(`${failures.length} of ${checks} checks failed:`)))
    for (const failure of failures) line(red(failure))
    process.exitCode = 1
  }
}

export const percent = (part: number, whole: number, digits = 1) => `${whole === 0 ? '0' : ((part / whole) * 100).toFixed(digits)}%`
export const ms = (value: number | null) => (value === null ? '-' : value.toFixed(value < 10 ? 2 : 1))
export const count = (value: number) => value.toLocaleString('en')

/** Runs `task(0..total-1)` with at most `concurrency` in flight; stops early when `more()` turns false. */
export async function runConcurrently(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  more: () => boolean = () => true,
): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next < total && more()) await task(next++)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return next
}
