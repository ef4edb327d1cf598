// The database going away under a running server: every call answers 503 with Retry-After (never a 500, never a
// hang), /ready says so, and service resumes by itself when the database is back, with no acknowledged write lost.
// It runs a private PostgreSQL cluster (initdb + pg_ctl in a temporary folder) that it can stop and start.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeProvider } from '@parley/testkit';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/shared/db/client.ts';
import { databaseCauseCode, isDatabaseUnavailable } from '../src/shared/lib/errors.ts';
import { testConfig } from './helpers/config.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, freePort } from './helpers/http.ts';

/** PostgreSQL's server binaries: PG_BIN, else the newest under /usr/lib/postgresql (Debian and Ubuntu). */
function findPgBin(): string | null {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(root, version, 'bin')));
  }
  return candidates.find((dir) => existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) ?? null;
}

const pgBin = findPgBin();
// Bounds the test holds the server to: nothing may take longer than this, whatever the database does.
const HANG_LIMIT_MS = 5_000;

describe.skipIf(!pgBin)('with the database down', () => {
  const bin = pgBin as string;
  let dir: string;
  let pgPort: number;
  let app: FastifyInstance;
  let client: Client;
  let chatId: string;

  // PostgreSQL refuses to run as root: as root (a container), its tools run as the postgres user.
  const run = (tool: string, args: string[]) => {
    const asRoot = process.getuid?.() === 0;
    execFileSync(
      asRoot ? 'runuser' : join(bin, tool),
      asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args,
      {
        stdio: 'ignore',
      },
    );
  };
  const pgCtl = (action: 'start' | 'stop') =>
    run(
      'pg_ctl',
      action === 'start'
        ? ['-D', join(dir, 'data'), '-o', `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', 'start']
        : ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'],
    );

  /** A request that must answer within HANG_LIMIT_MS; a hang fails the test instead of stalling it. */
  const call = (path: string, init: RequestInit = {}) =>
    client.fetch(path, { ...init, signal: AbortSignal.timeout(HANG_LIMIT_MS) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-pgfault-'));
    pgPort = await freePort();
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
    run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust']);
    pgCtl('start');
    const port = await freePort();
    const config = testConfig({
      PORT: String(port),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      DATABASE_POOL_MAX: '4',
    });
    app = await buildApp(config);
    await app.listen({ host: '127.0.0.1', port });
    client = new Client(`http://127.0.0.1:${port}`);
    const signUp = await client.postJson('/api/auth/sign-up/email', {
      email: 'fault@example.com',
      password: PASSWORD,
      name: 'Fault',
    });
    expect(signUp.status).toBe(200);
    chatId = (await client.trpc().chat.create.mutate({ title: 'written before the outage' })).id;
  });

  afterAll(async () => {
    await app?.close();
    if (dir) {
      try {
        pgCtl('stop');
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After everywhere, then recovers by itself with nothing lost', async () => {
    pgCtl('stop');

    const ready = await call('/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');

    const started = Date.now();
    const probes: { name: string; response: Response }[] = [
      { name: 'tRPC query', response: await call('/trpc/chat.list?input=%7B%22json%22%3A%7B%7D%7D') },
      {
        name: 'tRPC mutation',
        response: await call('/trpc/chat.create', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ json: { title: 'during the outage' } }),
        }),
      },
      { name: 'REST', response: await call('/api/v1/chats') },
      {
        name: 'Better Auth sign-in',
        response: await call('/api/auth/sign-in/email', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'fault@example.com', password: PASSWORD }),
        }),
      },
      { name: 'export', response: await call('/api/export') },
    ];
    // Said, not asserted (timings are the bench's business): how long the five calls took together.
    process.stdout.write(`db-faults: 5 calls with the database down answered in ${Date.now() - started} ms\n`);
    for (const { name, response } of probes) {
      const body = await response.text();
      expect({ name, status: response.status }).toEqual({ name, status: 503 });
      expect(response.headers.get('retry-after'), name).toBe('2');
      expect(body, name).toContain('SERVICE_UNAVAILABLE');
    }

    pgCtl('start');
    // Recovery without a restart: the pool reconnects on the next query.
    let readyAgain = false;
    for (let attempt = 0; attempt < 50 && !readyAgain; attempt++) {
      readyAgain = (await call('/ready')).status === 200;
      if (!readyAgain) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(readyAgain).toBe(true);
    const chats = await client.trpc().chat.list.query({});
    expect(chats.items.map((chat) => chat.id)).toContain(chatId);
    expect(chats.items.map((chat) => chat.title)).not.toContain('during the outage');
  });

  it('a reply generating through an outage still ends complete, its whole text stored', async () => {
    const fake = await startFakeProvider();
    try {
      fake.reply = Array.from({ length: 24 }, (_, i) => `word${i}`).join(' ');
      fake.delayMs = 30;
      const api = client.trpc();
      const provider = await api.providers.create.mutate({
        kind: 'openai-compatible',
        name: 'Fake',
        baseUrl: fake.baseUrl,
        apiKey: 'sk-fake-outage-0001',
        defaultModel: 'fake-large',
      });
      const chat = await api.chat.create.mutate({ providerId: provider.id });
      // Right after the previous test's outage the pool is still reconnecting: a send may be answered 503, and a
      // client retries it as Retry-After says (the same clientRequestId: one reply however many tries).
      const send = { chatId: chat.id, text: 'a long answer, please', clientRequestId: 'outage-reply-1' };
      let sent: Awaited<ReturnType<typeof api.chat.send.mutate>> | undefined;
      for (let attempt = 0; !sent; attempt++) {
        sent = await api.chat.send.mutate(send).catch(async (error: unknown) => {
          if (attempt >= 20 || !String(error).includes('briefly unavailable')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
          return undefined;
        });
      }
      const { assistantMessage } = sent;
      // The reply (24 pieces 30 ms apart) ends while the database is down: its final write has to wait.
      await new Promise((resolve) => setTimeout(resolve, 200));
      pgCtl('stop');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      pgCtl('start');

      const admin = postgres(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
      try {
        let row: { status: string; text: string } | undefined;
        for (let waited = 0; waited < 20_000; waited += 200) {
          [row] = await admin<{ status: string; text: string }[]>`
            select status, text from message where id = ${assistantMessage.id}`.catch(() => []);
          if (row && row.status !== 'streaming' && row.status !== 'pending') break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(row).toEqual({ status: 'complete', text: fake.reply });
      } finally {
        await admin.end();
      }
    } finally {
      await fake.close();
    }
  });

  it('bounds a statement (statement_timeout) and reads its cancellation as unavailable, not as a bug', async () => {
    const database = await openDatabase(
      { kind: 'postgres', url: `postgres://postgres@127.0.0.1:${pgPort}/postgres`, poolMax: 1 },
      { connectMs: 1_500, acquireMs: 1_000, statementMs: 200 },
    );
    try {
      const error = await database.db.execute(sql`select pg_sleep(3)`).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(databaseCauseCode(error)).toBe('57014');
      // The pool goes on serving.
      await database.ping();
    } finally {
      await database.close();
    }
  });

  it('under load: only 200s and 503s, nothing hangs, and every acknowledged write survives the outage', async () => {
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let slowest = 0;
    let running = true;
    let writes = 0;
    // Eight clients writing as fast as they can (HANG_LIMIT_MS aborts, and so fails, any call that hangs).
    const writer = async () => {
      while (running) {
        const started = Date.now();
        const response = await call('/trpc/chat.create', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ json: { title: `load ${writes++}` } }),
        });
        slowest = Math.max(slowest, Date.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const body = (await response.json()) as { result?: { data: { json: { id: string } } } };
        if (response.status === 200 && body.result) acknowledged.push(body.result.data.json.id);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await pause(300);
    pgCtl('stop');
    await pause(1_500);
    pgCtl('start');
    const before = acknowledged.length;
    // Until writes are acknowledged again (bounded: a server that never recovers fails here).
    for (let waited = 0; acknowledged.length < before + 16 && waited < 10_000; waited += 100) await pause(100);
    running = false;
    await Promise.all(writers);

    process.stdout.write(
      `db-faults under load: ${JSON.stringify(Object.fromEntries(statuses))}, slowest call ${slowest} ms, ${acknowledged.length} acknowledged\n`,
    );
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(before + 16);
    const admin = postgres(`postgres://postgres@127.0.0.1:${pgPort}/postgres`, { max: 1, onnotice: () => {} });
    try {
      const found = await admin<{ id: string }[]>`select id from chat where id in ${admin(acknowledged)}`;
      expect(found.length).toBe(acknowledged.length);
    } finally {
      await admin.end();
    }
  });
});
