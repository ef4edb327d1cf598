// What commands print: JSON for machines (--json), aligned text for people. Results go to stdout, the rest to stderr.
// Colours only on a terminal: never in a pipe or a file, never with NO_COLOR set (https://no-color.org) or TERM=dumb.

type Env = Record<string, string | undefined>;

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
}

function painter(on: boolean): Paint {
  const style = (open: number, close: number) => (text: string) => (on ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { bold: style(1, 22), dim: style(2, 22), red: style(31, 39), green: style(32, 39) };
}

/** Whether to colour what goes to `stream`. */
export function colorsWanted(stream: { isTTY?: boolean }, env: Env): boolean {
  if (env.NO_COLOR) return false; // "present and not an empty string"
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Styles for stdout and stderr; plain until `setUpColors` has looked at the terminal and the environment. */
export const paint = { out: painter(false), err: painter(false) };

export function setUpColors(env: Env): void {
  paint.out = painter(colorsWanted(process.stdout, env));
  paint.err = painter(colorsWanted(process.stderr, env));
}

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
    .map((row, index) => {
      const line = row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd();
      return index === 0 ? paint.out.bold(line) : line;
    })
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
