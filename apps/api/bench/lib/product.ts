// Parley as it ships: the README's start command (read from package.json at run time), NODE_ENV=production, its
// default log level and pool, on a PostgreSQL database of the bench's own. Only what a deployment must set is set.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ENV_VARIABLES } from '../../src/shared/lib/env.ts';
import { API_DIR, benchPath, leafProcess, ROOT_DIR, type Started, startProcess, waitForOk } from './processes.ts';

export const AUTH_SECRET = 'parley-bench-auth-secret-0123456789abcdef';
const ENCRYPTION_KEYS = `bench:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * Abuse limits a load test would trip (sign-ups per address, calls per API key): raised, and said so in the output.
 * Everything else stays at its default.
 */
export const RAISED_LIMITS = {
  AUTH_RATE_LIMIT_MAX: '100000',
  API_KEY_RATE_LIMIT_PER_MINUTE: '1000000',
  USER_RATE_LIMIT_PER_MINUTE: '100000000',
  IP_RATE_LIMIT_PER_MINUTE: '100000000',
};

export interface StartCommand {
  /** As a person would type it, for the output. */
  text: string;
  cwd: string;
  /** The shell line run; `exec` keeps the server's PID the child's when the line is one command. */
  shell: string;
}

const readScripts = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/**
 * The command `pnpm start` runs at the root, without pnpm in between: the API package's own start script when the
 * root only forwards to it, else the root's script itself.
 */
export function resolveStartCommand(): StartCommand {
  // `pnpm bench bun` (or BENCH_RUNTIME=bun): the server on Bun, from its source, as `pnpm start:bun` runs it.
  if (process.env.BENCH_RUNTIME === 'bun') {
    const bun = '../../node_modules/bun/bin/bun.exe src/index.ts';
    return { text: `${bun} (in apps/api)`, cwd: API_DIR, shell: `exec ${bun}` };
  }
  const root = readScripts(ROOT_DIR).start ?? '';
  const forwarded = /^pnpm\s+(?:--filter|-F)\s+@parley\/api\s+(?:run\s+)?start$/.test(root.trim());
  const line = forwarded ? (readScripts(API_DIR).start ?? '') : root;
  const single = !/[;&|]/.test(line);
  return { text: line, cwd: forwarded ? API_DIR : ROOT_DIR, shell: single ? `exec ${line}` : line };
}

/** The README's start command itself (pnpm included), for P5. */
export const README_START: StartCommand = { text: 'pnpm start', cwd: ROOT_DIR, shell: 'exec pnpm start' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The environment a deployment sets, on top of this shell's minus every variable the server reads. */
export function productEnv(options: { databaseUrl: string; port: number; extra?: Record<string, string> }) {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: benchPath() };
  for (const name of ENV_VARIABLES) delete env[name];
  return {
    ...env,
    NODE_ENV: 'production',
    DATABASE_URL: options.databaseUrl,
    PORT: String(options.port),
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    AUTH_SECRET,
    ENCRYPTION_KEYS,
    ...RAISED_LIMITS,
    ...options.extra,
  };
}

export interface Product {
  base: string;
  port: number;
  /** The PID of the process that serves (for /proc/<pid>/status). */
  pid: number;
  started: Started;
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyMs: number;
  stop(): Promise<void>;
}

export interface ProductOptions {
  databaseUrl: string;
  command?: StartCommand;
  /** Settings beyond the defaults this part needs (each one printed by the part). */
  extra?: Record<string, string>;
  port?: number;
}

export async function startProduct(options: ProductOptions): Promise<Product> {
  const command = options.command ?? resolveStartCommand();
  const port = options.port ?? (await freePort());
  const env = productEnv({ databaseUrl: options.databaseUrl, port, extra: options.extra });
  const since = performance.now();
  const started = startProcess('parley', 'sh', ['-c', command.shell], { cwd: command.cwd, env });
  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitForOk(`${base}/ready`, { since, timeoutMs: 120_000, started });
  const pid = leafProcess(started.child.pid ?? 0);
  return { base, port, pid, started, readyMs, stop: () => started.stop() };
}
