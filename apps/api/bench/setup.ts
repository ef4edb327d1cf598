// What both benchmarks start from: the server on the embedded database (or BENCH_DATABASE_URL), and a signed-up user.
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { buildApp } from '../src/app.ts';
import { type Database, fromPglite, fromPostgres } from '../src/shared/db/client.ts';
import { type Config, type EnvSource, loadConfig } from '../src/shared/lib/env.ts';

export async function startBenchServer(env: EnvSource = {}) {
  const port = 38_000 + Math.floor(Math.random() * 1500);
  const database: Database = process.env.BENCH_DATABASE_URL
    ? fromPostgres(postgres(process.env.BENCH_DATABASE_URL, { max: 10, onnotice: () => {} }))
    : fromPglite(await PGlite.create());
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: 'silent',
    AUTH_SECRET: 'bench-secret-bench-secret-bench-secret',
    ENCRYPTION_KEYS: `bench:${Buffer.alloc(32, 3).toString('base64')}`,
    AUTH_RATE_LIMIT_MAX: '1000',
    ...env,
  });
  const app = await buildApp(config, { database });
  return { app, config, database, base: `http://127.0.0.1:${port}`, port };
}

/** Signs up the bench user; returns the Cookie header its requests send. */
export async function signUpBenchUser(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ email: 'bench@example.com', password: 'bench password 123', name: 'Bench' }),
  });
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
