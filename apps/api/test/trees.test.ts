// Conversations as trees: chat.history, send with parentId (edit and resend), regenerate, selectBranch, fork, the
// model's view of one branch, racing sends, and the migration of chats stored before trees. Real router (createCaller),
// real database, the AI SDK's mock model.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';
import { rowsOf } from './helpers/seed.ts';

let h: Harness;
let ada: SignedIn;
let bob: SignedIn;
let providerId: string;

beforeAll(async () => {
  h = await createHarness({ MAX_CONCURRENT_GENERATIONS: '20' });
  ada = await h.signUp('ada@trees.example');
  bob = await h.signUp('bob@trees.example');
  const provider = await (await h.caller(ada.headers)).providers.create({
    kind: 'openai-compatible',
    name: 'Mock',
    baseUrl: 'http://localhost:9/v1',
    defaultModel: 'mock-model',
  });
  providerId = provider.id;
});
afterAll(async () => {
  await h.close();
});

const as = (user: SignedIn) => h.caller(user.headers);
type Api = Awaited<ReturnType<typeof as>>;

/** Waits for a reply's final event. */
async function settled(api: Api, messageId: string) {
  const iterable = (await api.chat.stream({ messageId })) as AsyncIterable<[string, { type: string }]>;
  for await (const [, data] of iterable) if (data.type !== 'text-delta') return data;
  return undefined;
}

/** Sends and waits for the reply, which answers `reply`. */
async function say(api: Api, chatId: string, text: string, reply: string, parentId?: string | null) {
  h.useModel(mockModel({ deltas: [reply] }));
  const sent = await api.chat.send({ chatId, text, ...(parentId !== undefined ? { parentId } : {}) });
  await settled(api, sent.assistantMessage.id);
  return sent;
}

/** The texts the model was given in its last call (system prompt left out). */
function promptTexts(model: ReturnType<typeof mockModel>): string[] {
  const prompt = model.doStreamCalls.at(-1)?.prompt ?? [];
  return prompt
    .filter((m) => m.role !== 'system')
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as { text?: unknown }[]) : []))
    .map((part) => String(part.text ?? ''));
}

async function pathTexts(api: Api, chatId: string, leafId?: string) {
  return (await api.chat.history({ chatId, limit: 100, ...(leafId ? { leafId } : {}) })).items.map((m) => m.text);
}

describe('what works', () => {
  it('history is the path from the root to the current leaf, oldest first; send moves the leaf to its reply', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId });
    expect(chat.currentLeafId).toBeNull();
    expect((await api.chat.history({ chatId: chat.id })).items).toEqual([]);
    const first = await say(api, chat.id, 'q1', 'a1');
    expect(first.userMessage.parentId).toBeNull();
    const second = await say(api, chat.id, 'q2', 'a2');
    expect(second.userMessage.parentId).toBe(first.assistantMessage.id);
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(second.assistantMessage.id);

    const history = await api.chat.history({ chatId: chat.id });
    expect(history.items.map((m) => m.text)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(history.items.map((m) => m.siblingIds)).toEqual(history.items.map((m) => [m.id]));
    expect(history.items[3]).toMatchObject({ status: 'complete', role: 'assistant', parentId: second.userMessage.id });
    expect(history.nextCursor).toBeNull();
  });

  it('edit and resend: a send under an earlier message is a new branch, and the model sees only that branch', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, systemPrompt: 'Be brief.' });
    const first = await say(api, chat.id, 'q1', 'a1');
    const second = await say(api, chat.id, 'q2', 'a2');
    await say(api, chat.id, 'q3', 'a3');

    // "Edit" q2: a sibling of q2 under a1.
    const model = mockModel({ deltas: ['a2-edited'] });
    h.useModel(model);
    const edited = await api.chat.send({ chatId: chat.id, text: 'q2 edited', parentId: first.assistantMessage.id });
    await settled(api, edited.assistantMessage.id);
    expect(edited.userMessage.parentId).toBe(first.assistantMessage.id);
    expect(promptTexts(model)).toEqual(['q1', 'a1', 'q2 edited']);
    expect(JSON.stringify(model.doStreamCalls.at(-1)?.prompt)).toContain('Be brief.');

    const history = await api.chat.history({ chatId: chat.id });
    expect(history.items.map((m) => m.text)).toEqual(['q1', 'a1', 'q2 edited', 'a2-edited']);
    expect(history.items[2]?.siblingIds).toEqual([second.userMessage.id, edited.userMessage.id]);
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(edited.assistantMessage.id);

    // The next send without parentId continues the current branch.
    const model2 = mockModel({ deltas: ['a4'] });
    h.useModel(model2);
    const next = await api.chat.send({ chatId: chat.id, text: 'q4' });
    await settled(api, next.assistantMessage.id);
    expect(promptTexts(model2)).toEqual(['q1', 'a1', 'q2 edited', 'a2-edited', 'q4']);

    // A new root: parentId null.
    const root = await say(api, chat.id, 'fresh start', 'r1', null);
    expect(root.userMessage.parentId).toBeNull();
    const rootHistory = await api.chat.history({ chatId: chat.id });
    expect(rootHistory.items.map((m) => m.text)).toEqual(['fresh start', 'r1']);
    expect(rootHistory.items[0]?.siblingIds).toEqual([first.userMessage.id, root.userMessage.id]);
  });

  it('regenerate moves the leaf to the new reply; selectBranch goes back to the newest leaf under a message', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId });
    const first = await say(api, chat.id, 'q1', 'a1');
    const second = await say(api, chat.id, 'q2', 'a2');
    await say(api, chat.id, 'q3', 'a3');

    const model = mockModel({ deltas: ['a2 again'] });
    h.useModel(model);
    const { assistantMessage } = await api.chat.regenerate({ messageId: second.assistantMessage.id });
    await settled(api, assistantMessage.id);
    expect(promptTexts(model)).toEqual(['q1', 'a1', 'q2']);
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(assistantMessage.id);
    const history = await api.chat.history({ chatId: chat.id });
    expect(history.items.map((m) => m.text)).toEqual(['q1', 'a1', 'q2', 'a2 again']);
    expect(history.items[3]?.siblingIds).toEqual([second.assistantMessage.id, assistantMessage.id]);

    // Back to the first reply: the leaf becomes the newest message under it (a3, two levels down).
    const back = await api.chat.selectBranch({ chatId: chat.id, messageId: second.assistantMessage.id });
    expect(await pathTexts(api, chat.id, back.currentLeafId ?? undefined)).toEqual([
      'q1',
      'a1',
      'q2',
      'a2',
      'q3',
      'a3',
    ]);
    expect(await pathTexts(api, chat.id)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    // A send now continues there.
    const model2 = mockModel({ deltas: ['a4'] });
    h.useModel(model2);
    const next = await api.chat.send({ chatId: chat.id, text: 'q4' });
    await settled(api, next.assistantMessage.id);
    expect(promptTexts(model2)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3', 'q4']);

    // history of another leaf without moving the chat.
    expect(await pathTexts(api, chat.id, assistantMessage.id)).toEqual(['q1', 'a1', 'q2', 'a2 again']);
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(next.assistantMessage.id);
    expect(first.userMessage.parentId).toBeNull();
  });

  it('fork copies the path up to a message into a new chat; the source is unchanged and usage is not counted twice', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, title: 'Source', systemPrompt: 'Sys' });
    await say(api, chat.id, 'q1', 'a1');
    const second = await say(api, chat.id, 'q2', 'a2');
    await say(api, chat.id, 'q3', 'a3');
    const usageBefore = await api.users.usage({});

    const fork = await api.chat.fork({ chatId: chat.id, messageId: second.assistantMessage.id, title: 'Forked' });
    expect(fork).toMatchObject({ title: 'Forked', providerId, systemPrompt: 'Sys' });
    expect(fork.id).not.toBe(chat.id);
    const copied = await api.chat.history({ chatId: fork.id });
    expect(copied.items.map((m) => m.text)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(copied.items.at(-1)?.id).toBe(fork.currentLeafId);
    expect(copied.items.every((m) => m.chatId === fork.id)).toBe(true);
    expect(copied.items[3]?.usage).toEqual({ inputTokens: 7, outputTokens: 1 });
    const sourceIds = new Set((await api.chat.history({ chatId: chat.id })).items.map((m) => m.id));
    expect(copied.items.some((m) => sourceIds.has(m.id))).toBe(false);
    expect(await pathTexts(api, chat.id)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    expect((await api.users.usage({})).totals).toEqual(usageBefore.totals);

    // The fork goes on by itself, with the copied path as the model's history.
    const model = mockModel({ deltas: ['f1'] });
    h.useModel(model);
    const sent = await api.chat.send({ chatId: fork.id, text: 'in the fork' });
    await settled(api, sent.assistantMessage.id);
    expect(promptTexts(model)).toEqual(['q1', 'a1', 'q2', 'a2', 'in the fork']);
    expect(await pathTexts(api, chat.id)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
  });

  it('a long path pages from the leaf end towards the root without gaps or repeats', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, title: 'Long' });
    // 45 messages on one path and a side branch of 30 under its third message, written by the database.
    await h.db.execute(sql`
      insert into message (id, user_id, chat_id, parent_id, role, status, text, created_at)
      select ${chat.id} || '-m' || g, ${ada.userId}, ${chat.id},
        case when g > 1 then ${chat.id} || '-m' || (g - 1) end,
        case when g % 2 = 1 then 'user' else 'assistant' end, 'complete', 'm' || g, now()
      from generate_series(1, 45) g`);
    await h.db.execute(sql`
      insert into message (id, user_id, chat_id, parent_id, role, status, text, created_at)
      select ${chat.id} || '-s' || g, ${ada.userId}, ${chat.id},
        case when g > 1 then ${chat.id} || '-s' || (g - 1) else ${chat.id} || '-m3' end,
        case when g % 2 = 1 then 'assistant' else 'user' end, 'complete', 's' || g, now()
      from generate_series(1, 30) g`);
    await api.chat.selectBranch({ chatId: chat.id, messageId: `${chat.id}-m1` });
    // The newest leaf under the root is the side branch's end (created last).
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(`${chat.id}-s30`);

    const texts: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await api.chat.history({ chatId: chat.id, leafId: `${chat.id}-m45`, limit: 20, cursor });
      texts.push(page.items.map((m) => m.text));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(texts.map((t) => t.length)).toEqual([20, 20, 5]);
    expect(texts.reverse().flat()).toEqual(Array.from({ length: 45 }, (_, i) => `m${i + 1}`));
    const third = (await api.chat.history({ chatId: chat.id, leafId: `${chat.id}-m45`, limit: 100 })).items[3];
    expect(third?.siblingIds).toEqual([`${chat.id}-m4`, `${chat.id}-s1`]);

    // A send at the end of the long path: the model reads the newest HISTORY_WINDOW_MESSAGES (40) of that path only.
    const model = mockModel({ deltas: ['end'] });
    h.useModel(model);
    const sent = await api.chat.send({ chatId: chat.id, text: 'q46', parentId: `${chat.id}-m45` });
    await settled(api, sent.assistantMessage.id);
    expect(promptTexts(model)).toEqual([...Array.from({ length: 39 }, (_, i) => `m${i + 7}`), 'q46']);
  });

  it('sends racing on one parent all succeed as siblings; the leaf ends on one of them', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId });
    const first = await say(api, chat.id, 'q1', 'a1');
    h.useModel(mockModel({ deltas: ['racing'] }));
    const parentId = first.assistantMessage.id;
    const sends = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.chat.send({ chatId: chat.id, text: `racer ${i}`, parentId })),
    );
    await Promise.all(sends.map((s) => settled(api, s.assistantMessage.id)));
    expect(sends.map((s) => s.userMessage.parentId)).toEqual(sends.map(() => parentId));
    const leaf = (await api.chat.get({ id: chat.id })).currentLeafId;
    expect(sends.map((s) => s.assistantMessage.id)).toContain(leaf);
    const history = await api.chat.history({ chatId: chat.id });
    expect(history.items.at(-1)?.id).toBe(leaf);
    expect(history.items[2]?.siblingIds.sort()).toEqual(sends.map((s) => s.userMessage.id).sort());
    // Sent at once without parentId, each lands under the leaf it read: the reply before, or the other one's.
    const [left, right] = await Promise.all([
      api.chat.send({ chatId: chat.id, text: 'left' }),
      api.chat.send({ chatId: chat.id, text: 'right' }),
    ]);
    await Promise.all([settled(api, left.assistantMessage.id), settled(api, right.assistantMessage.id)]);
    const ends = [left.assistantMessage.id, right.assistantMessage.id];
    expect(ends).toContain((await api.chat.get({ id: chat.id })).currentLeafId);
    expect([leaf, ...ends]).toContain(left.userMessage.parentId);
    expect([leaf, ...ends]).toContain(right.userMessage.parentId);
  });

  it('chats stored before trees migrate: each question under the newest earlier reply to the one before, leaf = newest', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, title: 'Legacy' });
    const id = (n: string) => `${chat.id}-${n}`;
    // The old shape: questions were roots; u1's reply regenerated after u2 was asked (a1b), then u3.
    const rows: [string, string | null, 'user' | 'assistant'][] = [
      ['u1', null, 'user'],
      ['a1', 'u1', 'assistant'],
      ['u2', null, 'user'],
      ['a2', 'u2', 'assistant'],
      ['a2b', 'u2', 'assistant'],
      ['a1b', 'u1', 'assistant'],
      ['u3', null, 'user'],
    ];
    for (const [name, parent, role] of rows) {
      await h.db.execute(sql`insert into message (id, user_id, chat_id, parent_id, role, status, text)
        values (${id(name)}, ${ada.userId}, ${chat.id}, ${parent ? id(parent) : null}, ${role}, 'complete', ${name})`);
    }
    for (const statement of migrationBackfill()) await h.db.execute(sql.raw(statement));
    const parents = await rowsOf<{ id: string; parent_id: string | null }>(
      h.db,
      sql`select id, parent_id from message where chat_id = ${chat.id} order by seq`,
    );
    expect(Object.fromEntries(parents.map((r) => [r.id.slice(chat.id.length + 1), r.parent_id]))).toEqual({
      u1: null,
      a1: id('u1'),
      u2: id('a1'),
      a2: id('u2'),
      a2b: id('u2'),
      a1b: id('u1'),
      u3: id('a2b'),
    });
    expect((await api.chat.get({ id: chat.id })).currentLeafId).toBe(id('u3'));
    expect(await pathTexts(api, chat.id)).toEqual(['u1', 'a1', 'u2', 'a2b', 'u3']);
  });
});

/** The statements of migration 0006 that rewrite existing chats (its data part, run again on rows made here). */
function migrationBackfill(): string[] {
  const text = readFileSync(new URL('../drizzle/0006_trees.sql', import.meta.url), 'utf8');
  return text
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => /^(--.*\n)*(WITH|UPDATE)/.test(s));
}

describe('what fails, and how', () => {
  it('a parentId, leafId or branch outside the chat is NOT_FOUND / MESSAGE_NOT_FOUND', async () => {
    const api = await as(ada);
    const one = await api.chat.create({ providerId });
    const other = await api.chat.create({ providerId });
    const sent = await say(api, other.id, 'elsewhere', 'x');
    // Called one at a time: a call made before the previous one is awaited could reject unhandled meanwhile.
    const calls = [
      () => api.chat.send({ chatId: one.id, text: 'hi', parentId: sent.assistantMessage.id }),
      () => api.chat.history({ chatId: one.id, leafId: sent.assistantMessage.id }),
      () => api.chat.selectBranch({ chatId: one.id, messageId: sent.assistantMessage.id }),
      () => api.chat.fork({ chatId: one.id, messageId: sent.assistantMessage.id }),
    ];
    for (const call of calls) {
      const error = await rejection(call());
      expect(error.code).toBe('NOT_FOUND');
      expect(appErrorOf(error)?.code).toBe('MESSAGE_NOT_FOUND');
    }
    // Nothing was stored by the refused send, and the refused fork left no chat behind.
    expect((await api.chat.history({ chatId: one.id })).items).toEqual([]);
    const titles = (await api.chat.list({ limit: 100 })).items.filter((c) => c.id !== one.id && c.id !== other.id);
    expect(titles.every((c) => c.createdAt < one.createdAt)).toBe(true);
  });

  it('a cursor that is not the server’s is INVALID_CURSOR', async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId });
    const error = await rejection(api.chat.history({ chatId: chat.id, cursor: 'forged.cursor' }));
    expect(appErrorOf(error)?.code).toBe('INVALID_CURSOR');
  });
});

describe('who may not', () => {
  it("another user gets NOT_FOUND on the tree procedures for the first user's chat", async () => {
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, title: 'Private tree' });
    const sent = await say(api, chat.id, 'secret', 'hidden');
    const intruder = await as(bob);
    const calls = {
      history: () => intruder.chat.history({ chatId: chat.id }),
      historyLeaf: () => intruder.chat.history({ chatId: chat.id, leafId: sent.assistantMessage.id }),
      selectBranch: () => intruder.chat.selectBranch({ chatId: chat.id, messageId: sent.userMessage.id }),
      fork: () => intruder.chat.fork({ chatId: chat.id, messageId: sent.assistantMessage.id }),
      sendUnder: () => intruder.chat.send({ chatId: chat.id, text: 'x', parentId: sent.assistantMessage.id }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await rejection(call());
      expect([name, error.code]).toEqual([name, 'NOT_FOUND']);
    }
    expect((await intruder.chat.list({})).items).toEqual([]);
    expect(await pathTexts(api, chat.id)).toEqual(['secret', 'hidden']);
  });
});
