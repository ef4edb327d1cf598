// Throughput against a baseline: autocannon (in its own process) on the baseline's route, then on Parley's, round
// after round; the figure is the median of the per-round ratios.

import { runWorker } from './processes.ts';
import { median } from './report.ts';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

export interface Target {
  url: string;
  headers?: Record<string, string>;
}

interface Measured {
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function measure(target: Target, seconds: number): Promise<Measured> {
  const result = await runWorker<Measured>('autocannon', {
    url: target.url,
    headers: target.headers ?? {},
    connections: CONNECTIONS,
    seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.url}: ${result.non2xx} answers were not 2xx and ${result.errors} errors`);
  }
  return result;
}

export interface Compared {
  baseline: number;
  figure: number;
  ratio: number;
  /** Each round's ratio, for the note under the line. */
  ratios: number[];
}

/** What a throughput line was measured with. */
export function describeRounds(result: Compared): string {
  const each = result.ratios.map((r) => r.toFixed(2)).join(', ');
  return `autocannon (own process), ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s after ${WARMUP_SECONDS} s warm-up; per-round ratios ${each}`;
}

/** Interleaved rounds (baseline, Parley, baseline, Parley, …) after an untimed warm-up of each. */
export async function compareThroughput(baseline: Target, product: Target): Promise<Compared> {
  await measure(baseline, WARMUP_SECONDS);
  await measure(product, WARMUP_SECONDS);
  const baselines: number[] = [];
  const figures: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = await measure(baseline, SECONDS);
    const b = await measure(product, SECONDS);
    baselines.push(a.rps);
    figures.push(b.rps);
    ratios.push(b.rps / a.rps);
  }
  return { baseline: median(baselines), figure: median(figures), ratio: median(ratios), ratios };
}
