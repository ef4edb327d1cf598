// Two real server processes on one PostgreSQL database and one Redis: a reply written on A is followed and stopped
// from B, a crash of A is noticed by B, the reply limit holds across both, and a revocation on A counts on B.
// Runs where both exist (CI's PostgreSQL run sets TEST_DATABASE_URL and TEST_REDIS_URL).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_ENV } from './helpers/config.ts';
import { createPostgresDatabase } from './helpers/database.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, followReply, freePort, textOf } from './helpers/http.ts';

const ENTRY = new URL('../src/index.ts', import.meta.url).pathname;
const redisUrl = process.env.TEST_REDIS_URL;
const enabled = inject('testDatabase').kind === 'postgres' && Boolean(redisUrl);

interface Server {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child, output: () => output, exited };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start:\n${output}`);
}

const follow = followReply;

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  for (let waited = 0; waited < ms; waited += 50) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(enabled)('two servers on one PostgreSQL and one Redis', () => {
  let fake: FakeProvider;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let a: Server;
  let b: Server;
  let onA: Client;
  let onB: Client;
  let chatId: string;

  beforeAll(async () => {
    [fake, database] = await Promise.all([startFakeProvider(), createPostgresDatabase()]);
    const env = {
      ...TEST_ENV,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl as string,
      REDIS_PREFIX: `test-${randomUUID()}:`,
      MAX_CONCURRENT_GENERATIONS: '3',
      STALE_GENERATION_MS: '2000',
      CHECKPOINT_INTERVAL_MS: '50',
      USER_RATE_LIMIT_PER_MINUTE: '100000',
      IP_RATE_LIMIT_PER_MINUTE: '100000',
    };
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
    onA = new Client(a.url);
    await onA.postJson('/api/auth/sign-up/email', { email: 'two@example.com', password: PASSWORD, name: 'Two' });
    onB = new Client(b.url);
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value);
    const provider = await onA.trpc().providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-fake-two-servers-0001',
      defaultModel: 'fake-large',
    });
    chatId = (await onA.trpc().chat.create.mutate({ providerId: provider.id })).id;
  }, 60_000);

  afterAll(async () => {
    for (const server of [a, b]) server?.child.kill('SIGKILL');
    await Promise.all([a?.exited, b?.exited]);
    await Promise.all([fake?.close(), database?.drop()]);
  });

  it('a reply sent on A is followed from B, and B resumes after a dropped connection with exactly the rest', async () => {
    fake.reply = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    fake.delayMs = 15;
    const { assistantMessage } = await onA.trpc().chat.send.mutate({ chatId, text: 'Follow me from B' });
    const first = await follow(onB, assistantMessage.id, { take: 3 });
    const lastEventId = first.at(-1)?.id;
    expect(lastEventId).toMatch(/^\d+$/);
    const rest = await follow(onB, assistantMessage.id, { lastEventId });
    const final = rest.at(-1)?.data;
    expect(final?.type).toBe('finish');
    expect(final?.message?.status).toBe('complete');
    expect(textOf(first) + textOf(rest)).toBe(final?.message?.text);
    expect(final?.message?.text).toBe(fake.reply);
  }, 30_000);

  it('B stops a reply A is writing: the upstream call ends and the partial text is kept', async () => {
    fake.reply = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    fake.delayMs = 50;
    const abandoned = fake.abandoned;
    const { assistantMessage } = await onA.trpc().chat.send.mutate({ chatId, text: 'Stop me from B' });
    await follow(onB, assistantMessage.id, { take: 2 });
    const stopped = await onB.trpc().chat.stop.mutate({ messageId: assistantMessage.id });
    expect(stopped.status).toBe('stopped');
    expect(stopped.text.length).toBeGreaterThan(0);
    expect(fake.reply.startsWith(stopped.text)).toBe(true);
    await until(() => fake.abandoned > abandoned, 'the provider call to end');
    // Followers anywhere get the same final event.
    const replay = await follow(onA, assistantMessage.id);
    expect(replay.at(-1)?.data.message?.status).toBe('stopped');
    expect(replay.at(-1)?.data.message?.text).toBe(stopped.text);
  }, 30_000);

  it('50 parallel sends spread over A and B accept exactly the limit', async () => {
    fake.reply = Array.from({ length: 400 }, (_, i) => `x${i}`).join(' ');
    fake.delayMs = 50;
    const clients = [onA, onB];
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        (clients[i % 2] as Client).trpc(false).chat.send.mutate({ chatId, text: `parallel ${i}` }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(accepted).toHaveLength(3);
    for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toMatch(/At most 3 replies/);
    // Stopping them gives the slots back (from either server).
    for (const [i, r] of accepted.entries()) {
      const id = (r as PromiseFulfilledResult<{ assistantMessage: { id: string } }>).value.assistantMessage.id;
      expect((await (clients[i % 2] as Client).trpc().chat.stop.mutate({ messageId: id })).status).toBe('stopped');
    }
    const again = await onB.trpc().chat.send.mutate({ chatId, text: 'a slot is free again' });
    await onB.trpc().chat.stop.mutate({ messageId: again.assistantMessage.id });
  }, 60_000);

  it('a session revoked on A is refused on B at once', async () => {
    const phone = new Client(a.url, 'phone');
    await phone.postJson('/api/auth/sign-in/email', { email: 'two@example.com', password: PASSWORD });
    const onBAsPhone = new Client(b.url, 'phone');
    for (const [name, value] of phone.cookies) onBAsPhone.cookies.set(name, value);
    expect((await onBAsPhone.trpc().chat.list.query({})).items.length).toBeGreaterThan(0);
    const sessions = await onA.trpc().auth.listSessions.query();
    const target = sessions.find((s) => s.userAgent === 'phone');
    expect(target).toBeDefined();
    await onA.trpc().auth.revokeSession.mutate({ sessionId: (target as { id: string }).id });
    await expect(onBAsPhone.trpc().chat.list.query({})).rejects.toThrow(/UNAUTHORIZED|sign in/i);
  }, 30_000);

  it('A killed mid-reply: B closes the reply as interrupted and its follower on B gets the final event', async () => {
    fake.reply = Array.from({ length: 400 }, (_, i) => `k${i}`).join(' ');
    fake.delayMs = 50;
    const { assistantMessage } = await onA.trpc().chat.send.mutate({ chatId, text: 'Crash while answering' });
    const followed = follow(onB, assistantMessage.id);
    await until(async () => {
      const [message] = await onB
        .trpc()
        .chat.messages.query({ chatId, limit: 1 })
        .then((p) => p.items);
      return (message?.text.length ?? 0) > 0;
    }, 'the first checkpoint');
    a.child.kill('SIGKILL');
    await a.exited;
    const events = await followed;
    const final = events.at(-1)?.data;
    expect(final?.type).toBe('error');
    expect(final?.message?.status).toBe('error');
    expect(final?.message?.error).toMatch(/interrupted/);
    expect(final?.message?.text.length).toBeGreaterThan(0);
    expect(fake.reply.startsWith(final?.message?.text ?? '-')).toBe(true);
  }, 60_000);
});

describe('a server told to use a Redis it cannot reach', () => {
  it('does not start, and says where it looked in one line', async () => {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, [ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...TEST_ENV,
        PORT: String(port),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-redis-')),
        REDIS_URL: `redis://:s3cret-password@127.0.0.1:${await freePort()}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(
      /^Parley cannot start: cannot reach Redis at 127\.0\.0\.1:\d+ \(REDIS_URL\): connection refused\n$/,
    );
    expect(output).not.toContain('s3cret');
    // The embedded database opens and migrates first: under a loaded machine that alone has taken 30 s.
  }, 120_000);
});
