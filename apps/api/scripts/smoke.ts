// A black-box smoke test of the server as a process, on Bun (default) or Node: starts it with NODE_ENV=production
// on a throwaway database, then, through the real @trpc/client over HTTP and SSE, signs up, makes an API key, adds a
// provider on the fake provider, sends and streams a reply (chat.sendAndStream), stops a second one mid-reply, and
// exports the account. Exits 0 when every step passed; else 1 with the step and the server's last lines.
//
//   node scripts/smoke.ts [--runtime=bun|node]        (root: pnpm smoke:bun)
//   SMOKE_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres   a throwaway database is created there and
//                                                                     dropped (else embedded PGlite in a temp folder)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import postgres from 'postgres';
import superjson from 'superjson';
import type { AppRouter } from '../src/router.ts';

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
// The binary itself: node_modules/.bin/bun is a shell script that does not pass signals on (SIGTERM would stop it,
// not the server).
const BUN = join(API_DIR, '..', '..', 'node_modules', 'bun', 'bin', 'bun.exe');
const runtime = process.argv.find((arg) => arg.startsWith('--runtime='))?.slice('--runtime='.length) ?? 'bun';
if (runtime !== 'bun' && runtime !== 'node') throw new Error(`--runtime must be bun or node (got ${runtime})`);

const cleanups: (() => Promise<void> | void)[] = [];
let serverLog = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('port'))));
    });
  });
}

async function database(): Promise<Record<string, string>> {
  const admin = process.env.SMOKE_POSTGRES_URL;
  if (!admin) {
    const dir = mkdtempSync(join(tmpdir(), 'parley-smoke-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { DATA_DIR: dir };
  }
  const name = `parley_smoke_${process.pid}_${randomBytes(3).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database "${name}"`);
  cleanups.push(async () => {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.end();
  });
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString() };
}

function startServer(port: number, env: Record<string, string>): ChildProcess {
  const command = runtime === 'bun' ? BUN : process.execPath;
  const server = spawn(command, ['src/index.ts'], {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEYS: `smoke:${randomBytes(32).toString('base64')}`,
      // Production refuses loopback provider URLs; the fake provider is on one.
      PROVIDER_URL_ALLOWLIST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk) => {
    serverLog += chunk;
  });
  server.stderr?.on('data', (chunk) => {
    serverLog += chunk;
  });
  return server;
}

async function waitReady(base: string, server: ChildProcess): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    const status = await fetch(`${base}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server was not ready within 60 s');
}

function client(base: string, headers: Record<string, string>) {
  const url = `${base}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers ?? {}), ...headers } }),
          },
        }),
        false: httpBatchLink({ url, transformer: superjson, headers }),
      }),
    ],
  });
}

type Api = ReturnType<typeof client>;
interface Streamed {
  text: string;
  status: string;
  messageId: string;
}

/** chat.sendAndStream to its final event; `onFirstDelta` runs once, with the reply's id. */
function sendAndStream(api: Api, chatId: string, text: string, onFirstDelta?: (id: string) => void): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    let messageId = '';
    let streamed = '';
    let first = true;
    const subscription = api.chat.sendAndStream.subscribe(
      { chatId, text, clientRequestId: randomUUID() },
      {
        onData: ({ data }) => {
          if (data.type === 'started') messageId = data.assistantMessage.id;
          else if (data.type === 'text-delta') {
            streamed += data.delta;
            if (first) onFirstDelta?.(messageId);
            first = false;
          } else {
            subscription.unsubscribe();
            resolve({ text: streamed, status: data.message.status, messageId });
          }
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
      },
    );
  });
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const since = performance.now();
  try {
    const result = await run();
    process.stdout.write(`ok    ${name} (${(performance.now() - since).toFixed(0)} ms)\n`);
    return result;
  } catch (error) {
    process.stdout.write(`FAIL  ${name}: ${(error as Error).message}\n`);
    throw error;
  }
}

async function smoke(fake: FakeProvider): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = await database();
  const server = startServer(port, env);
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  const version =
    runtime === 'bun'
      ? `Bun ${execFileSync(BUN, ['--version'], { encoding: 'utf8' }).trim()}`
      : `Node ${process.version}`;
  process.stdout.write(`smoke: the server on ${version}, ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, ${base}\n`);

  await step('start to /ready', () => waitReady(base, server));
  const cookie = await step('sign up (Better Auth)', async () => {
    const response = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email: 'smoke@example.com', password: 'smoke test password 42', name: 'Smoke' }),
    });
    check(response.status === 200, `sign-up answered ${response.status}: ${await response.text()}`);
    return response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  });
  const key = await step('users.me and an API key, by cookie', async () => {
    const browser = client(base, { cookie, origin: base });
    check((await browser.users.me.query()).email === 'smoke@example.com', 'users.me is someone else');
    return (await browser.auth.apiKeys.create.mutate({ name: 'smoke' })).key;
  });
  const api = client(base, { 'x-api-key': key });
  const providerId = await step('providers.create and providers.test on the fake provider', async () => {
    const provider = await api.providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-smoke',
      defaultModel: 'fake-large',
    });
    const tested = await api.providers.test.mutate({ id: provider.id });
    check(tested.ok, `providers.test: ${tested.error}`);
    return provider.id;
  });
  const chatId = (await api.chat.create.mutate({ providerId })).id;
  await step('chat.sendAndStream to the end', async () => {
    fake.reply = 'Hello from the fake provider, streamed word by word.';
    const streamed = await sendAndStream(api, chatId, 'hello');
    check(streamed.status === 'complete', `status ${streamed.status}`);
    check(streamed.text === fake.reply, `streamed ${JSON.stringify(streamed.text)}`);
  });
  await step('chat.stop in the middle of a reply', async () => {
    fake.reply = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    fake.delayMs = 30;
    const streamed = await sendAndStream(api, chatId, 'count slowly', (messageId) => {
      void api.chat.stop.mutate({ messageId });
    });
    fake.delayMs = 0;
    check(streamed.status === 'stopped', `status ${streamed.status}`);
    check(streamed.text.length > 0 && streamed.text.length < fake.reply.length, 'not stopped mid-reply');
  });
  await step('GET /api/export by API key', async () => {
    const response = await fetch(`${base}/api/export`, { headers: { 'x-api-key': key } });
    check(response.status === 200, `export answered ${response.status}`);
    const exported = (await response.json()) as {
      user: { email: string };
      chats: { id: string; messages: { text: string; status: string }[] }[];
    };
    check(exported.user.email === 'smoke@example.com', 'export is someone else');
    const statuses = exported.chats.find((c) => c.id === chatId)?.messages.map((m) => m.status) ?? [];
    check(statuses.includes('complete') && statuses.includes('stopped'), `messages ${statuses.join(', ')}`);
    check(!JSON.stringify(exported).includes('sk-smoke'), 'the provider key is in the export');
  });
  await step('SIGTERM ends the server with exit 0', async () => {
    server.kill('SIGTERM');
    const code = await exited;
    check(code === 0, `exit ${code}`);
  });
}

const fake = await startFakeProvider();
cleanups.push(() => fake.close());
try {
  await smoke(fake);
  process.stdout.write(`smoke: every step passed on ${runtime}\n`);
} catch {
  process.stdout.write(
    `smoke: failed on ${runtime}. The server's last lines:\n${serverLog.split('\n').slice(-30).join('\n')}\n`,
  );
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
