/** ANSI colour when writing to a terminal, plain text otherwise. */
export function painter(enabled: boolean) {
  const paint = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text)
  return { red: paint(31), green: paint(32), yellow: paint(33), bold: paint(1), dim: paint(2) }
}

export type Painter = ReturnType<typeof painter>

/** A plain text table: header, rule, rows; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)))
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? '').length)))
  const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'))
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
