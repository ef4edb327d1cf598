// pnpm db:studio — Drizzle Studio (drizzle-kit studio) on the configured database: PostgreSQL (DATABASE_URL), or the
// embedded PGlite folder, which it locks first as the server does (two processes on one PGlite folder corrupt it: stop
// the server, or use PostgreSQL, to browse while it runs).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireDataDirLock, DataDirLockedError } from '../src/shared/db/lock.ts';
import { scriptConfig } from './lib/script.ts';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`db:studio: ${message}\n`);
  process.exit(1);
}

const config = scriptConfig('db:studio');

let release = () => {};
const env: NodeJS.ProcessEnv = { ...process.env };
if (config.database.kind === 'postgres') {
  env.DRIZZLE_STUDIO_POSTGRES = config.database.url;
} else {
  try {
    release = acquireDataDirLock(config.database.dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message);
    throw error;
  }
  env.DRIZZLE_STUDIO_PGLITE = resolve(config.database.dataDir);
}

const drizzleKit = resolve(API_DIR, 'node_modules', 'drizzle-kit', 'bin.cjs');
const studio = spawn(process.execPath, [drizzleKit, 'studio', ...process.argv.slice(2)], {
  cwd: API_DIR,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => studio.kill(signal));
studio.on('exit', (code, signal) => {
  release();
  process.exit(code ?? (signal ? 1 : 0));
});
