// GET /api/export over real HTTP: the whole account as one valid JSON document with no secret, streamed as a
// download, authenticated like every call; it stops reading when the client leaves. users.exportData is bounded.
import { get } from 'node:http';
import { TRPCClientError } from '@trpc/client';
import type { Logger } from 'drizzle-orm';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { AppRouter } from '../src/router.ts';
import type { Database } from '../src/shared/db/client.ts';
import { apikey, session, user as userTable } from '../src/shared/db/schema/index.ts';
import { testConfig } from './helpers/config.ts';
import { openTestDatabase } from './helpers/database.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, freePort } from './helpers/http.ts';
import { rowsOf, seedChat } from './helpers/seed.ts';

const PROVIDER_KEY = 'sk-export-test-9f8e7d6c5b4a';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let app: FastifyInstance;
let database: Database;
let url: string;
/** Every SQL statement the server ran (to see that a left download stops reading). */
const queries: string[] = [];

beforeAll(async () => {
  const logger: Logger = { logQuery: (query) => queries.push(query) };
  database = await openTestDatabase({ logger });
  // A fixed free port: Better Auth trusts the public URL's origin, which must be the real one.
  const probe = await freePort();
  app = await buildApp(testConfig({ PORT: String(probe) }), { database });
  await app.listen({ host: '127.0.0.1', port: probe });
  url = `http://127.0.0.1:${probe}`;
});
afterAll(async () => {
  await app.close();
});

async function signedUp(email: string) {
  const client = new Client(url);
  const response = await client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Exporter' });
  expect(response.status).toBe(200);
  const [row] = await database.db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
  return { client, userId: row?.id as string };
}

interface ExportedMessage {
  id: string;
  chatId: string;
  text: string;
  createdAt: string;
  updatedAt: string;
}
interface Exported {
  user: { id: string; email: string; createdAt: string };
  preferences: unknown;
  providers: { id: string; apiKeyHint: string | null }[];
  chats: { id: string; createdAt: string; messages: ExportedMessage[] }[];
}

describe('what works', () => {
  it('a few thousand messages: one complete, valid JSON download, no secret in it', async () => {
    const { client, userId } = await signedUp('big@export.example');
    const api = client.trpc();
    const provider = await api.providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Local',
      baseUrl: 'http://localhost:9/v1',
      apiKey: PROVIDER_KEY,
    });
    const created = await api.auth.apiKeys.create.mutate({ name: 'export script' });
    await api.chat.create.mutate({ title: 'Empty' });
    await seedChat(database.db, { userId, pairs: 1_300, providerId: provider.id });
    for (let i = 0; i < 5; i++) await seedChat(database.db, { userId, pairs: 20 + i });

    const response = await client.fetch('/api/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="parley-export-.*\.json"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const data = JSON.parse(text) as Exported;

    expect(data.user).toMatchObject({ id: userId, email: 'big@export.example' });
    expect(data.user.createdAt).toMatch(ISO);
    expect(data.providers).toEqual([expect.objectContaining({ id: provider.id, apiKeyHint: 'sk-…5b4a' })]);
    const expected = await rowsOf<{ id: string; n: number }>(
      database.db,
      sql`select c.id, count(m.id)::int as n from chat c left join message m on m.chat_id = c.id
          where c.user_id = ${userId} group by c.id, c.created_at order by c.created_at, c.id`,
    );
    expect(data.chats.map((c) => [c.id, c.messages.length])).toEqual(expected.map((c) => [c.id, Number(c.n)]));
    expect(data.chats.reduce((n, c) => n + c.messages.length, 0)).toBe(2 * (1_300 + 20 + 21 + 22 + 23 + 24));
    const big = data.chats.find((c) => c.messages.length === 2_600);
    expect(big?.messages.map((m) => m.id)).toEqual(Array.from({ length: 2_600 }, (_, i) => `${big?.id}-${i + 1}`));
    expect(big?.messages[1]?.text).toBe('message 2 "quoted" \\ and a line\nbreak');
    for (const m of big?.messages ?? [])
      expect([m.createdAt, m.updatedAt, m.chatId]).toEqual([
        expect.stringMatching(ISO),
        expect.stringMatching(ISO),
        big?.id,
      ]);

    const [keyRow] = await database.db.select().from(apikey).where(eq(apikey.id, created.id));
    const [sessionRow] = await database.db.select().from(session).where(eq(session.userId, userId));
    for (const secret of [PROVIDER_KEY, created.key, keyRow?.key, sessionRow?.token, PASSWORD, '$argon2']) {
      expect(secret && text.includes(secret)).toBe(false);
    }
    // The same key works as the credential (the CLI's way).
    const byKey = await fetch(`${url}/api/export`, { headers: { 'x-api-key': created.key } });
    expect(byKey.status).toBe(200);
    expect((JSON.parse(await byKey.text()) as Exported).chats).toHaveLength(data.chats.length);
  });

  it('a small account: the same document as users.exportData', async () => {
    const { client, userId } = await signedUp('small@export.example');
    const api = client.trpc();
    await api.users.updatePreferences.mutate({ systemPrompt: 'Be brief.' });
    await api.chat.create.mutate({ title: 'Nothing yet' });
    await seedChat(database.db, { userId, pairs: 3 });
    const viaTrpc = JSON.parse(JSON.stringify(await api.users.exportData.query()));
    const viaRoute = JSON.parse(await (await client.fetch('/api/export')).text());
    expect(viaRoute).toEqual(viaTrpc);
    expect(viaRoute.chats).toHaveLength(2);
  });

  it('a client that leaves mid-download stops the reading', async () => {
    const { client, userId } = await signedUp('leaver@export.example');
    // About 20 MB of messages in 20 pages of 1,000: far more than the socket and stream buffers hold.
    for (let i = 0; i < 2; i++) {
      const chatId = await seedChat(database.db, { userId, pairs: 5_000 });
      await database.db.execute(sql`update message set text = repeat('x', 1000) where chat_id = ${chatId}`);
    }
    const pages = () => queries.filter((q) => /from "message"/.test(q) && /"message"\."seq" >/.test(q)).length;
    const before = pages();
    // A plain socket, closed after the first bytes arrive (what a browser does when the download is cancelled).
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    await new Promise<void>((resolve, reject) => {
      const request = get(`${url}/api/export`, { headers: { cookie } }, (response) => {
        expect(response.statusCode).toBe(200);
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error) => (request.destroyed ? resolve() : reject(error)));
    });
    // Wait until the server has read nothing more for a while, then count the pages it read.
    let seen = -1;
    while (seen !== pages()) {
      seen = pages();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(pages() - before).toBeLessThan(10);
    // And the server still serves.
    expect((await client.fetch('/health')).status).toBe(200);
  });
});

describe('what fails, and how', () => {
  it('users.exportData refuses past 10,000 messages and points at /api/export, which still serves them', async () => {
    const { client, userId } = await signedUp('huge@export.example');
    await seedChat(database.db, { userId, pairs: 5_001 });
    const error = await client
      .trpc()
      .users.exportData.query()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('PRECONDITION_FAILED');
    expect((error as Error).message).toContain('/api/export');
    const data = JSON.parse(await (await client.fetch('/api/export')).text()) as Exported;
    expect(data.chats[0]?.messages).toHaveLength(10_002);
  });
});

describe('who may not', () => {
  it('no credentials, a bad key, or a signed-out cookie: 401, and nothing of anyone', async () => {
    const { client } = await signedUp('owner@export.example');
    for (const headers of [{}, { 'x-api-key': 'parley_not_a_key' }]) {
      const response = await fetch(`${url}/api/export`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await client.postJson('/api/auth/sign-out', {});
    expect((await client.fetch('/api/export')).status).toBe(401);
  });

  it("one user's export holds none of another's chats", async () => {
    const a = await signedUp('a@export.example');
    const b = await signedUp('b@export.example');
    const chatOfA = await seedChat(database.db, { userId: a.userId, pairs: 2 });
    await seedChat(database.db, { userId: b.userId, pairs: 2 });
    const text = await (await b.client.fetch('/api/export')).text();
    expect(text).not.toContain(chatOfA);
    expect((JSON.parse(text) as Exported).user.id).toBe(b.userId);
  });
});
