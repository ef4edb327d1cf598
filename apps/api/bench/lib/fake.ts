// The fake provider in its own process; its base URL is the first line it prints (into its log file).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, benchPath, type Started, startProcess } from './processes.ts';

export interface Fake {
  baseUrl: string;
  started: Started;
}

export async function startFake(options: { words: number; delayMs: number; reportAbandoned?: boolean }): Promise<Fake> {
  const env = {
    ...process.env,
    PATH: benchPath(),
    FAKE_WORDS: String(options.words),
    FAKE_DELAY_MS: String(options.delayMs),
    FAKE_REPORT_ABANDONED: options.reportAbandoned ? '1' : '0',
  };
  const started = startProcess('fake-provider', process.execPath, [join(BENCH_DIR, 'servers', 'fake-provider.ts')], {
    cwd: BENCH_DIR,
    env,
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const first = readFileSync(started.logFile, 'utf8').split('\n')[0] ?? '';
    if (first.startsWith('{')) return { baseUrl: (JSON.parse(first) as { baseUrl: string }).baseUrl, started };
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the fake provider did not start\n${started.logTail()}`);
}

/** When the fake saw clients end streams early (FAKE_REPORT_ABANDONED), in ms since the epoch. */
export function abandonedTimes(fake: Fake): number[] {
  return readFileSync(fake.started.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('abandoned '))
    .map((line) => Number(line.slice('abandoned '.length)));
}
