// Every way the server can fail to start says so in one line on stderr ("Parley cannot start: …") and exits 1: a bad
// variable, a database that does not answer at host:port, a port already taken, a migration that fails (which one,
// and why). No stack unless LOG_LEVEL=debug. The real entry point, as a process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl } from './helpers/database.ts';
import { freePort } from './helpers/http.ts';

const ENTRY = new URL('../src/index.ts', import.meta.url).pathname;
const STACK_LINE = /^\s+at /m;

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(env: Record<string, string>, entry = ENTRY, args: string[] = []): Promise<Ended> {
  const child: ChildProcess = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  // A server that started after all would never end: the test's own timeout catches that.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const dataDir = () => mkdtempSync(join(tmpdir(), 'parley-startup-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let strayDatabases = 0;

/** A database whose first migration must fail: a table "user" already exists, unknown to the migrations. */
async function databaseWithStrayUserTable(): Promise<Record<string, string>> {
  const info = inject('testDatabase');
  if (info.kind === 'pglite') {
    const dir = dataDir();
    const client = await PGlite.create(join(dir, 'pglite'));
    await client.exec('create table "user" (id integer)');
    await client.close();
    return { DATA_DIR: dir };
  }
  const name = `${info.prefix}_stray_${process.pid}_${++strayDatabases}`;
  const admin = postgres(info.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  const url = databaseUrl(info.url, name);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  await client.unsafe('create table "user" (id integer)');
  await client.end();
  return { DATABASE_URL: url };
}

describe('what fails, and how', () => {
  it('a bad variable: named, with what is expected and what it got', async () => {
    const ended = await start({ PORT: 'eighty', DATA_DIR: dataDir() });
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe(
      'Parley cannot start: Invalid configuration: PORT: expected an integer from 0 to 65535 (got "eighty") (see .env.example)\n',
    );
  });

  it('the database unreachable: its host:port and the reason, never the password', async () => {
    const port = await freePort();
    const ended = await start({ DATABASE_URL: `postgres://parley:s3cret-pw@127.0.0.1:${port}/parley`, PORT: '0' });
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe(
      `Parley cannot start: cannot reach the database at 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    );
    expect(ended.stdout + ended.stderr).not.toContain('s3cret-pw');
  });

  it('the port taken: which port on which host', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const ended = await start({ PORT: String(port), DATA_DIR: dataDir() });
      expect(ended.code).toBe(1);
      expect(ended.stderr).toBe(
        `Parley cannot start: port ${port} on 127.0.0.1 is already in use; stop what uses it or set PORT\n`,
      );
      expect(ended.stdout).not.toMatch(STACK_LINE);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);

  it('a migration failed: which file and statement, and the database’s reason', async () => {
    const env = await databaseWithStrayUserTable();
    const ended = await start({ ...env, PORT: '0' });
    expect(ended.code).toBe(1);
    expect(ended.stderr).toBe(
      'Parley cannot start: a database migration failed (drizzle/0000_init.sql, `CREATE TABLE "user" (`): relation "user" already exists (SQLSTATE 42P07)\n',
    );

    // With LOG_LEVEL=debug the same line, then the stack.
    const debug = await start({ ...env, PORT: '0', LOG_LEVEL: 'debug' });
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toMatch(/^Parley cannot start: a database migration failed/);
    expect(debug.stderr).toMatch(STACK_LINE);
  }, 60_000);

  it('the maintenance scripts (withDatabase) fail the same way, in one line with their own name', async () => {
    const script = (name: string) => new URL(`../scripts/${name}.ts`, import.meta.url).pathname;
    const port = await freePort();
    const unreachable = { DATABASE_URL: `postgres://parley:s3cret-pw@127.0.0.1:${port}/parley` };
    const migrate = await start(unreachable, script('migrate'));
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toBe(
      `db:migrate: cannot reach the database at 127.0.0.1:${port}: connection refused (ECONNREFUSED)\n`,
    );
    const promote = await start({ PORT: 'eighty' }, script('promote-admin'), ['someone@example.com']);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toBe(
      'users:promote: Invalid configuration: PORT: expected an integer from 0 to 65535 (got "eighty") (see .env.example)\n',
    );
    const rotate = await start(await databaseWithStrayUserTable(), script('rotate-keys'));
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(
      /^keys:rotate: a database migration failed \(drizzle\/0000_init\.sql, .*\(SQLSTATE 42P07\)\n$/,
    );
  }, 120_000);
});
