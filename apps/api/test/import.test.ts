// POST /api/import over real HTTP: a ChatGPT conversations.json (fixture built from the documented format) becomes
// chats with the same trees, current leaves, titles and times; a Parley export round-trips; importing twice adds
// nothing; each conversation is stored whole or not at all; a malformed file stops with a report. The streaming
// reader is also checked piece by piece and against its size limits.
import { readFileSync } from 'node:fs';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { importConversations } from '../src/modules/chat/import.ts';
import { jsonArrayItems } from '../src/modules/chat/import-json.ts';
import type { Database } from '../src/shared/db/client.ts';
import { testConfig } from './helpers/config.ts';
import { openTestDatabase } from './helpers/database.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, freePort } from './helpers/http.ts';
import { rowsOf } from './helpers/seed.ts';

const FIXTURE = readFileSync(new URL('./fixtures/chatgpt-conversations.json', import.meta.url), 'utf8');

let app: FastifyInstance;
let database: Database;
let url: string;
let fake: FakeProvider;

beforeAll(async () => {
  database = await openTestDatabase();
  const port = await freePort();
  const config = testConfig({ PORT: String(port) });
  app = await buildApp(config, { database });
  await app.listen({ host: '127.0.0.1', port });
  url = `http://127.0.0.1:${port}`;
  // The chats a Parley export is made from are written through the API, replies from a fake provider at the wire.
  fake = await startFakeProvider();
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

async function signedUp(email: string) {
  const client = new Client(url);
  const response = await client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Importer' });
  expect(response.status).toBe(200);
  return { client, api: client.trpc() };
}

function importFile(client: Client, body: string, format = 'chatgpt') {
  return client.fetch(`/api/import?format=${format}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
}

type Api = Awaited<ReturnType<typeof signedUp>>['api'];

async function chatsByTitle(api: Api) {
  const page = await api.chat.list.query({ limit: 100 });
  return new Map(page.items.map((c) => [c.title, c]));
}

describe('what works', () => {
  it('a ChatGPT export becomes chats with the same trees, current leaves, titles and times, and a report', async () => {
    const { client, api } = await signedUp('chatgpt@import.example');
    const response = await importFile(client, FIXTURE);
    expect(response.status).toBe(200);
    const report = (await response.json()) as { notes: unknown };
    expect(report).toMatchObject({ chats: 2, messages: 11, skipped: 0, errors: [] });
    expect(report.notes).toEqual(
      expect.arrayContaining([
        { reason: 'tool messages skipped', count: 1 },
        { reason: 'non-text parts kept as a note (image_asset_pointer)', count: 1 },
      ]),
    );

    const chats = await chatsByTitle(api);
    const lisbon = chats.get('Lisbon weekend');
    const pasta = chats.get('Pasta');
    expect(lisbon?.createdAt).toEqual(new Date(1_700_000_000_000));
    expect(lisbon?.updatedAt).toEqual(new Date(1_700_000_060_000));
    expect(pasta?.systemPrompt).toBe('You are a terse chef.');

    // The current node's path; the edit point has both questions as siblings, the regenerated reply both replies.
    const path = await api.chat.history.query({ chatId: lisbon?.id as string });
    expect(path.items.map((m) => [m.role, m.text])).toEqual([
      ['user', 'Plan a weekend in Lisbon.'],
      ['assistant', 'Day 1: Alfama. Day 2: Belém.'],
      ['user', '[image asset pointer not imported]\n\nMake it luxurious, like this hotel.'],
      ['assistant', 'Book the Bairro Alto Hotel.'],
    ]);
    expect(path.items[0]?.createdAt).toEqual(new Date(1_700_000_010_000));
    expect(path.items[1]?.model).toBe('gpt-4o');
    const edit = path.items[2];
    expect(edit?.siblingIds).toHaveLength(2);
    const original = edit?.siblingIds[0] as string;
    expect(original).not.toBe(edit?.id);
    await api.chat.selectBranch.mutate({ chatId: lisbon?.id as string, messageId: original });
    const other = await api.chat.history.query({ chatId: lisbon?.id as string });
    expect(other.items.map((m) => m.text)).toEqual([
      'Plan a weekend in Lisbon.',
      'Day 1: Alfama. Day 2: Belém.',
      'Make it cheaper.',
      'Stay in a hostel near Rossio.',
    ]);
    expect(other.items[3]?.siblingIds).toHaveLength(2);
    expect((await api.chat.history.query({ chatId: pasta?.id as string })).items.at(-1)?.text).toBe(
      'import time\ntime.sleep(600)',
    );
    // Not generated here: not counted as usage.
    expect((await api.users.usage.query({})).totals.messages).toBe(0);

    // The same file again adds nothing.
    const again = await (await importFile(client, FIXTURE)).json();
    expect(again).toMatchObject({ chats: 0, messages: 0, skipped: 2, errors: [] });
    expect((await api.chat.list.query({ limit: 100 })).items).toHaveLength(2);
  });

  it('a Parley export imported into another account reproduces its chats, messages and trees', async () => {
    const source = await signedUp('source@import.example');
    await source.api.providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      defaultModel: 'fake-large',
    });
    // A tree made through the router: two turns, an edit of the second question, a regenerated reply.
    const chat = await source.api.chat.create.mutate({ title: 'Round trip', systemPrompt: 'Be exact.' });
    const settle = async (messageId: string) => {
      for (let i = 0; i < 200; i++) {
        const page = await source.api.chat.messages.query({ chatId: chat.id, limit: 100 });
        if (page.items.find((m) => m.id === messageId)?.status !== 'streaming') return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const first = await source.api.chat.send.mutate({ chatId: chat.id, text: 'q1' });
    await settle(first.assistantMessage.id);
    const second = await source.api.chat.send.mutate({ chatId: chat.id, text: 'q2' });
    await settle(second.assistantMessage.id);
    const edited = await source.api.chat.send.mutate({
      chatId: chat.id,
      text: 'q2 again',
      parentId: first.assistantMessage.id,
    });
    await settle(edited.assistantMessage.id);
    const regenerated = await source.api.chat.regenerate.mutate({ messageId: edited.assistantMessage.id });
    await settle(regenerated.assistantMessage.id);
    await source.api.chat.create.mutate({ title: 'Empty one' });

    const exported = await (await source.client.fetch('/api/export')).text();
    const target = await signedUp('target@import.example');
    const report = await (await importFile(target.client, exported, 'parley')).json();
    expect(report).toMatchObject({ chats: 2, messages: 7, skipped: 0, errors: [] });

    const before = JSON.parse(exported) as { chats: ExportedChat[] };
    const after = JSON.parse(await (await target.client.fetch('/api/export')).text()) as { chats: ExportedChat[] };
    expect(after.chats.map(shape)).toEqual(before.chats.map(shape));
    // Again: nothing new.
    expect(await (await importFile(target.client, exported, 'parley')).json()).toMatchObject({ chats: 0, skipped: 2 });
  });
});

interface ExportedChat {
  id: string;
  title: string | null;
  systemPrompt: string | null;
  currentLeafId: string | null;
  createdAt: string;
  messages: { id: string; parentId: string | null; role: string; text: string; status: string; createdAt: string }[];
}

/** A chat without its ids: parents and the current leaf named by their position among the chat's messages. */
function shape(chat: ExportedChat) {
  const position = new Map(chat.messages.map((m, i) => [m.id, i]));
  return {
    title: chat.title,
    systemPrompt: chat.systemPrompt,
    createdAt: chat.createdAt,
    leaf: chat.currentLeafId === null ? null : position.get(chat.currentLeafId),
    messages: chat.messages.map((m) => ({
      parent: m.parentId === null ? null : position.get(m.parentId),
      role: m.role,
      text: m.text,
      status: m.status,
      createdAt: m.createdAt,
    })),
  };
}

describe('what fails, and how', () => {
  it('a conversation that cannot be imported is reported and stored not at all; the others are', async () => {
    const { client, api } = await signedUp('partial@import.example');
    const conversations = JSON.parse(FIXTURE) as Record<string, unknown>[];
    const cyclic = structuredClone(conversations[0]) as { mapping: Record<string, { parent: string | null }> };
    Object.assign(cyclic, { title: 'Cyclic', conversation_id: 'conv-cyclic', id: 'conv-cyclic' });
    (cyclic.mapping['root-a'] as { parent: string | null }).parent = 'a3';
    const file = JSON.stringify([cyclic, conversations[1], { title: 'No mapping', id: 'x' }]);
    const report = await (await importFile(client, file)).json();
    expect(report).toMatchObject({
      chats: 1,
      skipped: 0,
      errors: [
        { conversation: 'Cyclic', reason: 'the mapping has a cycle' },
        { conversation: 'No mapping', reason: 'not a ChatGPT conversation (no mapping)' },
      ],
    });
    expect([...(await chatsByTitle(api)).keys()]).toEqual(['Pasta']);
    const [orphans] = await rowsOf<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from message m where not exists (select 1 from chat c where c.id = m.chat_id)`,
    );
    expect(Number(orphans?.n)).toBe(0);
  });

  it('a file that breaks off is 400 with the report of what was imported before the break', async () => {
    const { client, api } = await signedUp('broken@import.example');
    const conversations = JSON.parse(FIXTURE) as unknown[];
    const broken = `[${JSON.stringify(conversations[0])}, {"title": "cut`;
    const response = await importFile(client, broken);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', report: { chats: 1 } });
    expect((await api.chat.list.query({})).items.map((c) => c.title)).toEqual(['Lisbon weekend']);
    const notJson = await importFile(client, '{"not": "an array"}');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toContain('expected a JSON array');
  });

  it('the reader keeps one conversation at a time, whatever the pieces, and stops at its size limits', async () => {
    const expected = JSON.parse(FIXTURE);
    for (const size of [1, 7, 4096]) {
      const pieces = Array.from({ length: Math.ceil(FIXTURE.length / size) }, (_, i) =>
        Buffer.from(FIXTURE.slice(i * size, (i + 1) * size)),
      );
      const items = [];
      for await (const item of jsonArrayItems(pieces, { key: null, maxBytes: 1e9, maxItemChars: 1e9 }))
        items.push(item);
      expect(items).toEqual(expected);
    }
    const tooMuch = jsonArrayItems([FIXTURE], { key: null, maxBytes: 1_000, maxItemChars: 1e9 });
    await expect(tooMuch.next()).rejects.toThrow('larger than 1000 bytes');
    const bigItem = jsonArrayItems([FIXTURE], { key: null, maxBytes: 1e9, maxItemChars: 500 });
    await expect(bigItem.next()).rejects.toThrow('a conversation is larger than 500 characters');
    // Through the import: a file over the limit stops, keeping nothing of the conversation it was in.
    const [user] = await rowsOf<{ id: string }>(database.db, sql`select id from "user" limit 1`);
    await expect(
      importConversations({
        db: database.db,
        userId: user?.id as string,
        format: 'chatgpt',
        body: [FIXTURE],
        maxBytes: 100,
        maxConversationChars: 1e9,
      }),
    ).rejects.toMatchObject({ name: 'ImportStopped', tooLarge: true });
  });
});

describe('who may not', () => {
  it('without a session or key the import is 401; a wrong format is 400; imports stay with their owner', async () => {
    const anonymous = await fetch(`${url}/api/import?format=chatgpt`, { method: 'POST', body: FIXTURE });
    expect(anonymous.status).toBe(401);
    const { client } = await signedUp('owner@import.example');
    expect((await importFile(client, FIXTURE, 'zip')).status).toBe(400);
    expect((await importFile(client, FIXTURE)).status).toBe(200);
    const other = await signedUp('other@import.example');
    expect((await other.api.chat.list.query({})).items).toEqual([]);
  });
});
