/** ANSI colour when writing to a terminal, plain text otherwise. */
export function painter(enabled: boolean) {
  const paint = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text)
  return { red: paint(31), green: paint(32), yellow: paint(33), bold: paint(1), dim: paint(2) }
}

export type Painter = ReturnType<typeof painter>

const NUMERIC = /^[+-]?(\d[\d.,]*(e[+-]?\d+)?%?x?|-|n\/a)$/

/** A plain text table: header, rule, rows; numeric columns (numbers, percentages, ratios) right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)))
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)))
  const numeric = header.map((_, column) => cells.length > 0 && cells.every((row) => NUMERIC.test(row[column] ?? '')))
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)].join('\n') + '\n'
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

/** The "Examples:" block appended to a command's help. */
export function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`
}

/** 0.25 -> "25.00%". */
export function percent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)}%`
}

/** A p-value as people read it: 0.4321, 1.2e-7. */
export function pValue(p: number): string {
  return p >= 0.0001 || p === 0 ? p.toFixed(4) : p.toExponential(1)
}
