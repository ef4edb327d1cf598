// The baseline server (servers/raw.ts) in its own process, on the same database as Parley.
import { join } from 'node:path';
import { BENCH_DIR, benchPath, type Started, startProcess, waitForOk } from './processes.ts';
import { AUTH_SECRET, freePort } from './product.ts';

export interface Raw {
  base: string;
  started: Started;
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyMs: number;
}

export async function startRaw(databaseUrl: string): Promise<Raw> {
  const port = await freePort();
  const env = { ...process.env, PATH: benchPath(), DATABASE_URL: databaseUrl, PORT: String(port), AUTH_SECRET };
  const since = performance.now();
  const started = startProcess('raw', process.execPath, [join(BENCH_DIR, 'servers', 'raw.ts')], {
    cwd: BENCH_DIR,
    env,
  });
  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitForOk(`${base}/ready`, { since, timeoutMs: 30_000, started });
  return { base, started, readyMs };
}
