// chat.* through createCaller with the AI SDK's mock model, against a real database.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeInterruptedReplies } from '../src/modules/replies/index.ts';
import { chat as chatTable, message as messageTable } from '../src/shared/db/schema/index.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;
let ada: SignedIn;
let bob: SignedIn;
let providerId: string;

beforeAll(async () => {
  h = await createHarness({ MAX_MESSAGE_CHARS: '200', MAX_CONCURRENT_GENERATIONS: '2' });
  ada = await h.signUp('ada@chat.example');
  bob = await h.signUp('bob@chat.example');
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
type StreamEvent = { id: string; data: { type: string; delta?: string; message?: { status: string; text: string } } };

/** Collects a subscription's events until its final one. */
async function follow(api: Api, messageId: string, lastEventId?: string): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  // Through createCaller a tracked event is tRPC's envelope [id, data]; over HTTP clients see { id, data }.
  const iterable = (await api.chat.stream({ messageId, lastEventId })) as AsyncIterable<[string, StreamEvent['data']]>;
  for await (const [id, data] of iterable) {
    const event = { id, data };
    events.push(event);
    if (event.data.type !== 'text-delta') break;
  }
  return events;
}

async function newChat(user: SignedIn = ada, title?: string) {
  return (await as(user)).chat.create({ providerId, ...(title ? { title } : {}) });
}

async function settled(user: SignedIn, messageId: string) {
  const api = await as(user);
  const events = await follow(api, messageId);
  return events.at(-1)?.data.message;
}

describe('what works', () => {
  it('send stores the question and a streaming reply; the reply completes with text, usage and finish reason', async () => {
    const model = mockModel();
    h.useModel(model);
    const api = await as(ada);
    const chat = await newChat();
    const sent = await api.chat.send({ chatId: chat.id, text: 'Say hello' });
    expect(sent.userMessage).toMatchObject({ role: 'user', text: 'Say hello', status: 'complete', parentId: null });
    expect(sent.assistantMessage).toMatchObject({
      role: 'assistant',
      status: 'streaming',
      parentId: sent.userMessage.id,
      providerId,
      model: 'mock-model',
    });

    const events = await follow(api, sent.assistantMessage.id);
    const streamed = events
      .filter((e) => e.data.type === 'text-delta')
      .map((e) => e.data.delta)
      .join('');
    expect(streamed).toBe('Hello, world.');
    expect(events.at(-1)?.data.type).toBe('finish');

    const page = await api.chat.messages({ chatId: chat.id });
    expect(page.items.map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(page.items[0]).toMatchObject({
      text: 'Hello, world.',
      status: 'complete',
      usage: { inputTokens: 7, outputTokens: 4 },
      finishReason: 'stop',
      parts: [{ type: 'text', text: 'Hello, world.' }],
    });
  });

  it('a finished reply replays whole, and lastEventId resumes with only the rest', async () => {
    h.useModel(mockModel({ deltas: ['abc', 'def', 'ghi'] }));
    const api = await as(ada);
    const chat = await newChat();
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'letters' });
    await settled(ada, assistantMessage.id);

    const replay = await follow(api, assistantMessage.id);
    expect(replay.map((e) => e.data.type)).toEqual(['text-delta', 'finish']);
    expect(replay[0]?.data.delta).toBe('abcdefghi');

    const rest = await follow(api, assistantMessage.id, '4');
    expect(rest[0]?.data.delta).toBe('efghi');
    const done = await follow(api, assistantMessage.id, replay.at(-1)?.id);
    expect(done.map((e) => e.data.type)).toEqual(['finish']);
  });

  it('titles an untitled chat after its first reply, and falls back to its first words', async () => {
    h.useModel(mockModel({ title: 'Greetings exchanged' }));
    const api = await as(ada);
    const chat = await newChat();
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'Say hello please' });
    await settled(ada, assistantMessage.id);
    await expect.poll(async () => (await api.chat.get({ id: chat.id })).title).toBe('Greetings exchanged');

    h.useModel(mockModel({ title: new Error('no titles today') }));
    const other = await newChat();
    const second = await api.chat.send({ chatId: other.id, text: 'What is the capital of France today?' });
    await settled(ada, second.assistantMessage.id);
    await expect.poll(async () => (await api.chat.get({ id: other.id })).title).toBe('What is the capital of France');

    const named = await newChat(ada, 'My own title');
    const third = await api.chat.send({ chatId: named.id, text: 'hi' });
    await settled(ada, third.assistantMessage.id);
    expect((await api.chat.get({ id: named.id })).title).toBe('My own title');
  });

  it('sends the system prompt and the earlier turns to the model', async () => {
    const model = mockModel({ deltas: ['ok'] });
    h.useModel(model);
    const api = await as(ada);
    const chat = await api.chat.create({ providerId, systemPrompt: 'Be terse.' });
    const first = await api.chat.send({ chatId: chat.id, text: 'first question' });
    await settled(ada, first.assistantMessage.id);
    const second = await api.chat.send({ chatId: chat.id, text: 'second question' });
    await settled(ada, second.assistantMessage.id);
    const prompt = JSON.stringify(model.doStreamCalls[1]?.prompt);
    expect(prompt).toContain('Be terse.');
    expect(prompt.indexOf('first question')).toBeLessThan(prompt.indexOf('second question'));
    expect(prompt).toContain('"ok"');
  });

  it('regenerate adds a new reply beside the earlier one, with the same parent', async () => {
    h.useModel(mockModel({ deltas: ['one'] }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Regenerate');
    const sent = await api.chat.send({ chatId: chat.id, text: 'pick a number' });
    await settled(ada, sent.assistantMessage.id);
    h.useModel(mockModel({ deltas: ['two'] }));
    const { assistantMessage } = await api.chat.regenerate({ messageId: sent.assistantMessage.id });
    expect(assistantMessage.parentId).toBe(sent.userMessage.id);
    expect(assistantMessage.id).not.toBe(sent.assistantMessage.id);
    await settled(ada, assistantMessage.id);
    const replies = (await api.chat.messages({ chatId: chat.id })).items.filter((m) => m.role === 'assistant');
    expect(replies.map((m) => m.text).sort()).toEqual(['one', 'two']);
    expect(new Set(replies.map((m) => m.parentId))).toEqual(new Set([sent.userMessage.id]));
  });

  it('the same clientRequestId twice returns the first result and calls the provider once', async () => {
    const model = mockModel();
    h.useModel(model);
    const api = await as(ada);
    const chat = await newChat(ada, 'Idempotent');
    const first = await api.chat.send({ chatId: chat.id, text: 'once', clientRequestId: 'req-1' });
    const again = await api.chat.send({ chatId: chat.id, text: 'once', clientRequestId: 'req-1' });
    expect(again.userMessage.id).toBe(first.userMessage.id);
    expect(again.assistantMessage.id).toBe(first.assistantMessage.id);
    await settled(ada, first.assistantMessage.id);
    expect(model.doStreamCalls).toHaveLength(1);
    expect((await api.chat.messages({ chatId: chat.id })).items).toHaveLength(2);
  });

  it('a resend of a clientRequestId at the reply limit returns the first send, not TOO_MANY_REQUESTS', async () => {
    h.useModel(mockModel({ deltas: ['busy'], hang: true }));
    const api = await as(ada);
    const chat = await newChat(ada, 'At the limit');
    const first = await api.chat.send({ chatId: chat.id, text: 'one', clientRequestId: 'at-limit-1' });
    const second = await api.chat.send({ chatId: chat.id, text: 'two', clientRequestId: 'at-limit-2' });
    // Two replies generating: the limit (2) is reached.
    const refused = await rejection(api.chat.send({ chatId: chat.id, text: 'three' }));
    expect(appErrorOf(refused)?.code).toBe('TOO_MANY_GENERATIONS');
    const again = await api.chat.send({ chatId: chat.id, text: 'one', clientRequestId: 'at-limit-1' });
    expect(again.assistantMessage.id).toBe(first.assistantMessage.id);
    // The refused send stored nothing.
    expect((await api.chat.messages({ chatId: chat.id })).items).toHaveLength(4);
    await Promise.all([first, second].map((s) => api.chat.stop({ messageId: s.assistantMessage.id })));
  });

  it('a follower is not left waiting when a reply ends without a final write (its row is gone)', async () => {
    h.useModel(mockModel({ deltas: ['soon gone'], hang: true }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Gone');
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'go' });
    await expect.poll(() => h.replies.engine.snapshot(assistantMessage.id)?.text).toBe('soon gone');
    const events: string[] = [];
    const following = (async () => {
      const iterable = (await api.chat.stream({ messageId: assistantMessage.id })) as AsyncIterable<
        [string, { type: string }]
      >;
      for await (const [, data] of iterable) events.push(data.type);
    })();
    await expect.poll(() => events.length).toBeGreaterThan(0);
    await h.db.delete(messageTable).where(eq(messageTable.id, assistantMessage.id));
    await h.replies.engine.stop(assistantMessage.id);
    await following; // ends: the engine said "gone", the follower read the row and found none
    expect(events).toEqual(['text-delta']);
  });

  it('stop aborts the reply and keeps its partial text as stopped', async () => {
    h.useModel(mockModel({ deltas: ['partial ', 'answer'], hang: true }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Stop');
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'go on forever' });
    await expect.poll(() => h.replies.engine.snapshot(assistantMessage.id)?.text).toBe('partial answer');
    const stopped = await api.chat.stop({ messageId: assistantMessage.id });
    expect(stopped).toMatchObject({ status: 'stopped', text: 'partial answer' });
    const [stored] = (await api.chat.messages({ chatId: chat.id, limit: 1 })).items;
    expect(stored).toMatchObject({ status: 'stopped', text: 'partial answer' });
    expect(await api.chat.stop({ messageId: assistantMessage.id })).toMatchObject({ status: 'stopped' });
  });

  it('a provider failure ends the reply as an error with a clear reason, keeping the partial text', async () => {
    h.useModel(mockModel({ deltas: ['half'], failWith: new Error('socket hang up') }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Failure');
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'fail please' });
    const final = await settled(ada, assistantMessage.id);
    expect(final).toMatchObject({ status: 'error', text: 'half' });
    const [stored] = (await api.chat.messages({ chatId: chat.id, limit: 1 })).items;
    expect(stored?.error).toBe('the connection to the provider broke off mid-reply');
  });

  it('chat.list pages are stable when timestamps are equal, and search matches titles', async () => {
    const api = await as(bob);
    const same = new Date('2026-01-01T00:00:00.000Z');
    const ids: string[] = [];
    for (const title of ['alpha one', 'beta two', 'alpha three', 'gamma four', 'alpha five']) {
      const created = await api.chat.create({ title });
      ids.push(created.id);
    }
    await h.db.update(chatTable).set({ updatedAt: same }).where(eq(chatTable.userId, bob.userId));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.chat.list({ limit: 2, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].sort().reverse());
    const found = await api.chat.list({ search: 'ALPHA' });
    expect(found.items.map((c) => c.title).sort()).toEqual(['alpha five', 'alpha one', 'alpha three']);
    expect((await api.chat.list({ search: '%' })).items).toEqual([]);
  });

  it('chat.messages pages newest first', async () => {
    h.useModel(mockModel({ deltas: ['r'] }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Paging');
    for (const text of ['q1', 'q2', 'q3']) {
      const { assistantMessage } = await api.chat.send({ chatId: chat.id, text });
      await settled(ada, assistantMessage.id);
    }
    const first = await api.chat.messages({ chatId: chat.id, limit: 4 });
    expect(first.items.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['q3', 'q2']);
    const second = await api.chat.messages({ chatId: chat.id, limit: 4, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((m) => m.text)).toEqual(['r', 'q1']);
    expect(second.nextCursor).toBeNull();
  });

  it('at start, replies left streaming by a process that died are closed as interrupted', async () => {
    const chat = await newChat(ada, 'Crash');
    const stale = new Date(Date.now() - 10 * 60_000);
    await h.db.insert(messageTable).values({
      id: 'stale-reply',
      userId: ada.userId,
      chatId: chat.id,
      role: 'assistant',
      status: 'streaming',
      text: 'half a sen',
      createdAt: stale,
      updatedAt: stale,
    });
    expect(await closeInterruptedReplies(h.db, h.config.chat)).toBe(1);
    const [row] = await h.db.select().from(messageTable).where(eq(messageTable.id, 'stale-reply'));
    expect(row).toMatchObject({ status: 'error', text: 'half a sen', error: expect.stringMatching(/interrupted/) });
  });
});

describe('what fails, and how', () => {
  it('a message over the length limit is BAD_REQUEST naming the limit', async () => {
    const chat = await newChat(ada, 'Long');
    const error = await rejection((await as(ada)).chat.send({ chatId: chat.id, text: 'x'.repeat(201) }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(appErrorOf(error)).toMatchObject({ code: 'MESSAGE_TOO_LONG', field: 'text' });
    expect(error.message).toMatch(/200 characters/);
  });

  it('more concurrent replies than allowed is TOO_MANY_REQUESTS', async () => {
    h.useModel(mockModel({ hang: true }));
    const api = await as(ada);
    const chat = await newChat(ada, 'Busy');
    const a = await api.chat.send({ chatId: chat.id, text: 'one' });
    const b = await api.chat.send({ chatId: chat.id, text: 'two' });
    const error = await rejection(api.chat.send({ chatId: chat.id, text: 'three' }));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    await Promise.all([
      api.chat.stop({ messageId: a.assistantMessage.id }),
      api.chat.stop({ messageId: b.assistantMessage.id }),
    ]);
    h.useModel(mockModel());
    const c = await api.chat.send({ chatId: chat.id, text: 'three again' });
    expect((await settled(ada, c.assistantMessage.id))?.status).toBe('complete');
  });

  it('no provider anywhere is PRECONDITION_FAILED / NO_PROVIDER', async () => {
    // Bob has no provider (Ada's first one became her default).
    const api = await as(bob);
    const chat = await api.chat.create({ title: 'No provider' });
    const error = await rejection(api.chat.send({ chatId: chat.id, text: 'hello?' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(appErrorOf(error)?.code).toBe('NO_PROVIDER');
  });

  it("a chat cannot use another user's provider", async () => {
    const error = await rejection((await as(bob)).chat.create({ providerId }));
    expect(error.code).toBe('NOT_FOUND');
    expect(appErrorOf(error)?.code).toBe('PROVIDER_NOT_FOUND');
  });

  it('a cursor the server did not give out is a validation error', async () => {
    const error = await rejection((await as(ada)).chat.list({ cursor: 'not-a-cursor' }));
    expect(appErrorOf(error)).toMatchObject({ code: 'INVALID_CURSOR', field: 'cursor' });
  });
});

describe('who may not', () => {
  it("another user gets NOT_FOUND on every chat procedure for the first user's chats and messages", async () => {
    h.useModel(mockModel());
    const chat = await newChat(ada, 'Private');
    const { userMessage, assistantMessage } = await (await as(ada)).chat.send({ chatId: chat.id, text: 'secret' });
    await settled(ada, assistantMessage.id);
    const intruder = await as(bob);
    const calls = {
      get: () => intruder.chat.get({ id: chat.id }),
      update: () => intruder.chat.update({ id: chat.id, title: 'mine' }),
      delete: () => intruder.chat.delete({ id: chat.id }),
      messages: () => intruder.chat.messages({ chatId: chat.id }),
      send: () => intruder.chat.send({ chatId: chat.id, text: 'hi' }),
      stream: () => follow(intruder, assistantMessage.id),
      stop: () => intruder.chat.stop({ messageId: assistantMessage.id }),
      regenerate: () => intruder.chat.regenerate({ messageId: userMessage.id }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const error = await rejection(call());
      expect([name, error.code]).toEqual([name, 'NOT_FOUND']);
    }
    expect((await (await as(ada)).chat.get({ id: chat.id })).title).toBe('Private');
    expect((await (await as(ada)).chat.messages({ chatId: chat.id })).items).toHaveLength(2);
  });
});
