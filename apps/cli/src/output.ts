// What commands print: JSON for machines (--json), aligned text for people. Results go to stdout, the rest to stderr.

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

/** Prints `value` as JSON with --json, else the human text (a trailing newline is added when missing). */
export function printResult(json: boolean, value: unknown, human: () => string): void {
  if (json) {
    writeOut(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const text = human();
  writeOut(text.endsWith('\n') ? text : `${text}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatDate(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 16);
}

/** Resolves once everything written to stdout and stderr so far is handed to the OS (before process.exit). */
export async function flushOutput(): Promise<void> {
  await Promise.all([
    new Promise<void>((resolve) => process.stdout.write('', () => resolve())),
    new Promise<void>((resolve) => process.stderr.write('', () => resolve())),
  ]);
}
