// Statistics and the one line each target prints: id, what, baseline, figure, ratio, target, met or not.

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const median = (values: number[]) => percentile(values, 50);

export interface TargetLine {
  id: string;
  what: string;
  /** The baseline's figure with its unit, or '—' when the target is absolute. */
  baseline: string;
  /** Parley's figure with its unit. */
  figure: string;
  /** The comparison the target is stated in (a ratio, a difference, …). */
  ratio: string;
  target: string;
  met: boolean;
}

export function formatLine(line: TargetLine): string {
  return [
    line.id.padEnd(5),
    line.what,
    `baseline ${line.baseline}`,
    `Parley ${line.figure}`,
    line.ratio,
    `target ${line.target}`,
    line.met ? 'MET' : 'NOT MET',
  ].join(' | ');
}

export function printLine(line: TargetLine): void {
  process.stdout.write(`${formatLine(line)}\n`);
}

/** Context for the figures that follow (not a target line). */
export function note(text: string): void {
  process.stdout.write(`      ${text}\n`);
}

export const rate = (n: number) => `${Math.round(n)} req/s`;
export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
export const times = (n: number) => `${n.toFixed(2)}×`;
