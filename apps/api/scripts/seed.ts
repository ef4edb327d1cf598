// pnpm db:seed — a demo account on the configured database, through the server's own routes (buildApp and inject,
// nothing listens): a user, an API key, a provider on the fake provider (`pnpm fake-provider`, 127.0.0.1:11435) set
// as the default, and two chats with a question and its answer. Run it again: it signs in, keeps the provider and the
// chats, and makes a new API key. On the embedded database stop the server first (one process per data folder).
//
//   SEED_EMAIL (demo@example.com)  SEED_PASSWORD (parley-demo-password)  FAKE_PROVIDER_PORT (11435)
import { randomUUID } from 'node:crypto';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { withDatabase } from './lib/script.ts';

const email = process.env.SEED_EMAIL ?? 'demo@example.com';
const password = process.env.SEED_PASSWORD ?? 'parley-demo-password';
const fakePort = Number(process.env.FAKE_PROVIDER_PORT ?? 11435);
const PROVIDER_NAME = 'Demo (fake provider)';
const CHATS = [
  { title: 'Welcome to Parley', text: 'What can I do here?' },
  { title: 'A second chat', text: 'Tell me something short.' },
];

function fail(message: string): never {
  process.stderr.write(`db:seed: ${message}\n`);
  process.exit(1);
}

/** Signs up, or signs in when the account exists; returns the session cookie. */
async function session(app: FastifyInstance, origin: string): Promise<{ cookie: string; created: boolean }> {
  const headers = { origin, 'content-type': 'application/json' };
  const signUp = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-up/email',
    headers,
    payload: { email, password, name: 'Demo' },
  });
  const response =
    signUp.statusCode === 200
      ? signUp
      : await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', headers, payload: { email, password } });
  if (response.statusCode !== 200) fail(`cannot sign up or sign in ${email}: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie, created: signUp.statusCode === 200 };
}

function caller(app: FastifyInstance, origin: string, cookie: string) {
  const headers = { cookie, origin, 'content-type': 'application/json' };
  const answer = <T>(path: string, status: number, body: string): T => {
    const parsed = JSON.parse(body) as { result?: { data: { json: T } }; error?: { json?: { message?: string } } };
    if (!parsed.result) fail(`${path}: ${status} ${parsed.error?.json?.message ?? body}`);
    return parsed.result.data.json;
  };
  return {
    async query<T>(path: string, input?: unknown): Promise<T> {
      const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
      const response = await app.inject({ method: 'GET', url: `/trpc/${path}${query}`, headers });
      return answer<T>(path, response.statusCode, response.body);
    },
    async mutate<T>(path: string, input: unknown): Promise<T> {
      const payload = JSON.stringify({ json: input });
      const response = await app.inject({ method: 'POST', url: `/trpc/${path}`, headers, payload });
      return answer<T>(path, response.statusCode, response.body);
    },
  };
}

async function seed(app: FastifyInstance, origin: string) {
  const { cookie, created } = await session(app, origin);
  const api = caller(app, origin, cookie);
  const baseUrl = `http://127.0.0.1:${fakePort}/v1`;
  const providers = await api.query<{ id: string; name: string }[]>('providers.list');
  const provider =
    providers.find((p) => p.name === PROVIDER_NAME) ??
    (await api.mutate<{ id: string }>('providers.create', {
      kind: 'openai-compatible',
      name: PROVIDER_NAME,
      baseUrl,
      defaultModel: 'fake-large',
    }));
  await api.mutate('users.updatePreferences', { defaultProviderId: provider.id });
  const existing = await api.query<{ items: unknown[] }>('chat.list', {});
  let chats = 0;
  if (existing.items.length === 0) {
    for (const chat of CHATS) {
      const { id } = await api.mutate<{ id: string }>('chat.create', { providerId: provider.id, title: chat.title });
      await api.mutate('chat.send', { chatId: id, text: chat.text, clientRequestId: randomUUID() });
      chats++;
      // The reply is generated in the background: wait for it before the next (and before closing).
      let statuses: string[] = [];
      for (let waited = 0; waited < 15_000; waited += 50) {
        const page = await api.query<{ items: { status: string }[] }>('chat.messages', { chatId: id });
        statuses = page.items.map((m) => m.status);
        if (!statuses.includes('streaming')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (statuses.length !== 2 || statuses.some((status) => status !== 'complete')) {
        fail(`the reply in "${chat.title}" did not complete (messages: ${statuses.join(', ')})`);
      }
    }
  }
  const key = await api.mutate<{ key: string }>('auth.apiKeys.create', { name: `seed ${new Date().toISOString()}` });
  return { created, providerId: provider.id, baseUrl, chats, key: key.key };
}

// The fake provider answers the seeded questions; one already running on the port (pnpm fake-provider) does too.
let fake: FakeProvider | null = null;
try {
  fake = await startFakeProvider({ port: fakePort });
  fake.reply = 'Hello from the fake provider: this answer was written by pnpm db:seed.';
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
}
try {
  // Warnings and errors only: a line per request would bury what the seed prints.
  await withDatabase(
    'db:seed',
    async ({ config, database }) => {
      const app = await buildApp(config, { database });
      try {
        const result = await seed(app, config.publicUrl);
        process.stdout.write(
          [
            `${result.created ? 'Created' : 'Signed in to'} ${email} (password: ${password}) on ${config.database.kind}.`,
            `Provider ${PROVIDER_NAME} (${result.providerId}) at ${result.baseUrl}, the default; run \`pnpm fake-provider\` to chat with it.`,
            result.chats > 0
              ? `${result.chats} chats with a question and an answer.`
              : 'Chats already there: none added.',
            `A new API key (shown once): ${result.key}`,
            '',
          ].join('\n'),
        );
      } finally {
        await app.close();
      }
    },
    { defaults: { LOG_LEVEL: 'warn' } },
  );
} finally {
  await fake?.close();
}
