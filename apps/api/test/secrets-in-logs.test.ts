// Secrets in logs (issue 13, item 7): the main routes driven at LOG_LEVEL=trace (every line any level writes) with
// a provider key, an API key, passwords and a message text as markers — in bodies, headers, query strings, failed
// calls, refused calls and replies that fail at the provider — and not one log line may carry any of them.
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serializeError } from '../src/shared/lib/logger.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

const MARK = {
  providerKey: 'sk-marker-provider-7f3a9c1e5b',
  providerKey2: 'sk-marker-rotated-2d8e4b6a0c',
  password: 'marker-password-4c9e2a7f1b',
  newPassword: 'marker-new-password-8b1d5f3e9a',
  text: 'marker-private-words-6a2f8c0d4e',
};

let server: TestServer;
let fake: FakeProvider;
let client: Client;

beforeAll(async () => {
  [server, fake] = await Promise.all([startServer({ captureLogs: true }), startFakeProvider()]);
  client = new Client(server.url);
});
afterAll(async () => {
  await Promise.all([server?.close(), fake?.close()]);
});

/** Waits until the chat's newest reply is no longer pending or streaming. */
async function settled(chatId: string): Promise<void> {
  const api = client.trpc();
  for (let i = 0; i < 200; i++) {
    const { items } = await api.chat.messages.query({ chatId, limit: 1 });
    if (items[0] && !['pending', 'streaming'].includes(items[0].status)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the reply did not settle');
}

it('no log line, at any level, carries a provider key, an API key, a password or a message text', async () => {
  const email = 'marker@example.com';
  expect((await client.postJson('/api/auth/sign-up/email', { email, password: MARK.password, name: 'M' })).status).toBe(
    200,
  );
  // Wrong and right passwords, from a second client.
  const other = new Client(server.url);
  expect((await other.postJson('/api/auth/sign-in/email', { email, password: `${MARK.password}x` })).status).toBe(401);
  expect((await other.postJson('/api/auth/sign-in/email', { email, password: MARK.password })).status).toBe(200);
  // Better Auth writes some refused values into its own messages ("Invalid callbackURL: <value>").
  await other.postJson('/api/auth/sign-in/email', { email, password: MARK.password, callbackURL: MARK.text });
  const api = client.trpc();

  // Provider keys: saved over tRPC and REST, replaced, tested against a provider that refuses them.
  const provider = await api.providers.create.mutate({
    kind: 'openai-compatible',
    name: 'Marked',
    baseUrl: fake.baseUrl,
    apiKey: MARK.providerKey,
    defaultModel: 'fake-large',
  });
  const rest = await client.postJson('/api/v1/providers', { kind: 'openai', name: 'Rest', apiKey: MARK.providerKey });
  expect(rest.status).toBe(200);
  fake.mode = 'unauthorized';
  expect((await api.providers.test.mutate({ id: provider.id })).ok).toBe(false);
  fake.mode = 'ok';
  await api.providers.update.mutate({ id: provider.id, apiKey: MARK.providerKey2 });
  await api.providers.test.mutate({ id: provider.id });
  // A refused key (a NUL byte in it) and a refused name: the refusal must not echo the value into a line.
  await client.postJson('/api/v1/providers', { kind: 'openai', name: 'x', apiKey: `${MARK.providerKey}\u0000` });

  // The message text: sent, answered, failed at the provider, cut mid-stream, searched for, refused.
  const chat = await api.chat.create.mutate({ title: 'Marked', providerId: provider.id, model: 'fake-large' });
  fake.reply = `echo ${MARK.text}`;
  await api.chat.send.mutate({ chatId: chat.id, text: MARK.text });
  await settled(chat.id);
  // The reply really went through the provider (with the key) and came back.
  expect((await api.chat.messages.query({ chatId: chat.id, limit: 1 })).items[0]?.text).toContain(MARK.text);
  expect(fake.seen.some((r) => r.authorization === `Bearer ${MARK.providerKey2}`)).toBe(true);
  for (const mode of ['error', 'unauthorized', 'cut-mid-stream'] as const) {
    fake.mode = mode;
    await api.chat.send.mutate({ chatId: chat.id, text: `${MARK.text} ${mode}` });
    await settled(chat.id);
  }
  fake.mode = 'ok';
  await client.postJson(`/api/v1/chats/${chat.id}/messages`, { text: MARK.text });
  await settled(chat.id);
  await api.chat.list.query({ search: MARK.text });
  await client.fetch(`/api/v1/chats?search=${MARK.text}`);
  await client.postJson(`/api/v1/chats/${chat.id}/messages`, { text: `${MARK.text}\u0000` });
  await client.postJson('/trpc/chat.send', { json: { chatId: chat.id, text: MARK.text, model: 'x'.repeat(500) } });
  await client.postJson('/trpc/chat.send', { json: { chatId: 'no-such-chat', text: MARK.text } });

  // API keys: created, used in a header over REST and tRPC, put in a query string, revoked.
  const { key, id: keyId } = await api.auth.apiKeys.create.mutate({ name: 'marked' });
  expect((await fetch(`${server.url}/api/v1/users/me`, { headers: { 'x-api-key': key } })).status).toBe(200);
  await fetch(`${server.url}/trpc/users.me`, { headers: { 'x-api-key': key } });
  await fetch(`${server.url}/api/v1/users/me?api_key=${key}&apiKey=${key}`);
  await fetch(`${server.url}/trpc/users.me`, { headers: { 'x-api-key': `${key}-wrong` } });
  await api.auth.apiKeys.revoke.mutate({ id: keyId });
  await fetch(`${server.url}/api/v1/users/me`, { headers: { 'x-api-key': key } });

  // The data export carries the message text; the password changes (old and new are markers).
  await client.fetch('/api/v1/users/me/export');
  const change = await client.postJson('/api/auth/change-password', {
    currentPassword: MARK.password,
    newPassword: MARK.newPassword,
  });
  expect(change.status).toBe(200);
  await client.postJson('/api/auth/sign-in/email', { email, password: MARK.newPassword });

  const logs = server.logs.join('');
  // The capture works and is at trace: request lines, and lines below info, were written.
  expect(server.logs.length).toBeGreaterThan(40);
  expect(server.logs.some((line) => (JSON.parse(line) as { level: number }).level < 30)).toBe(true);
  const session = [...client.cookies.values()];
  for (const [name, secret] of Object.entries({ ...MARK, apiKey: key, apiKeyStart: key.slice(0, 16), session })) {
    for (const value of [secret].flat()) {
      const line = server.logs.find((l) => l.includes(value));
      expect(line, `${name} appears in a log line`).toBeUndefined();
    }
  }
  expect(logs).not.toContain(encodeURIComponent(MARK.text));
}, 60_000);

it("drops the value PostgreSQL quotes in a data exception's message", () => {
  const error = Object.assign(new Error(`invalid input syntax for type uuid: "${MARK.text}"`), { code: '22P02' });
  const out = JSON.stringify(serializeError(error));
  expect(out).not.toContain(MARK.text);
  expect(out).toContain('invalid input syntax for type uuid: [value omitted]');
  // Other errors keep their message (identifiers in quotes help debugging).
  const missing = Object.assign(new Error('relation "chat" does not exist'), { code: '42P01' });
  expect(serializeError(missing)).toMatchObject({ message: 'relation "chat" does not exist' });
});
