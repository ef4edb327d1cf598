// Spend caps with atomic reservation: a send reserves its worst case before its provider is called, in the same
// transaction that stores it; replies settle to what they used; caps set by admins and lowered by users. Real router,
// real database, a mock model gated so that replies stay live while the other sends race.
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { MockLanguageModelV4 } from 'ai/test';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';
import { rowsOf } from './helpers/seed.ts';

const MAX_OUTPUT = 100;
let h: Harness;
let root: SignedIn;

beforeAll(async () => {
  h = await createHarness({
    MAX_CONCURRENT_GENERATIONS: '200',
    SPEND_MAX_OUTPUT_TOKENS: String(MAX_OUTPUT),
    ADMIN_EMAILS: 'root@spend.example',
  });
  root = await h.signUp('root@spend.example');
});
afterAll(async () => {
  await h.close();
});

const as = (user: SignedIn) => h.caller(user.headers);
type Api = Awaited<ReturnType<typeof as>>;

/** A model whose replies wait for `open()`, then write "ok" and finish with 7 input and 1 output tokens. */
function gatedModel() {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const model = new MockLanguageModelV4({
    async doStream() {
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          await gate;
          controller.enqueue({ type: 'stream-start', warnings: [] });
          controller.enqueue({ type: 'text-start', id: 't' });
          controller.enqueue({ type: 'text-delta', id: 't', delta: 'ok' });
          controller.enqueue({ type: 'text-end', id: 't' });
          controller.enqueue({
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: {
              inputTokens: { total: 7, noCache: 7, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 1, text: 1, reasoning: 0 },
            },
          });
          controller.close();
        },
      });
      return { stream };
    },
  });
  return { model, open: () => open() };
}

async function userWithProvider(email: string) {
  const user = await h.signUp(email);
  const api = await as(user);
  await api.providers.create({
    kind: 'openai-compatible',
    name: 'Mock',
    baseUrl: 'http://localhost:9/v1',
    defaultModel: 'm',
  });
  return { user, api };
}

async function settled(api: Api, messageId: string) {
  const iterable = (await api.chat.stream({ messageId })) as AsyncIterable<[string, { type: string }]>;
  for await (const [, data] of iterable) if (data.type !== 'text-delta') return data;
  return undefined;
}

/** Waits until the user's reservations are all settled (replies settle just after their final event). */
async function noneReserved(api: Api) {
  await expect.poll(async () => (await api.users.limits()).reservedTokens, { timeout: 5_000 }).toBe(0);
}

/** What one send of `text` in a new chat reserves: its bytes and framing, plus the output bound. */
const worstCase = (text: string) => Buffer.byteLength(text) + 8 + MAX_OUTPUT;

describe('what works', () => {
  it('without a cap, limits show the period and what was used, and nothing is reserved', async () => {
    const { api } = await userWithProvider('free@spend.example');
    h.useModel(mockModel({ deltas: ['a', 'b'] }));
    const chat = await api.chat.create({});
    const sent = await api.chat.send({ chatId: chat.id, text: 'hello' });
    await settled(api, sent.assistantMessage.id);
    const limits = await api.users.limits();
    expect(limits).toMatchObject({ period: 'month', maxTokens: null, usedTokens: 9, reservedTokens: 0 });
    const now = new Date();
    expect(limits.resetsAt).toEqual(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)));
  });

  it('50 sends at once against a cap that allows 10: 10 are accepted, 40 refused before any provider call', async () => {
    const { user, api } = await userWithProvider('racer@spend.example');
    const text = 'q';
    await (await as(root)).users.setUserLimits({ userId: user.userId, period: 'day', maxTokens: worstCase(text) * 10 });
    const chats = await Promise.all(Array.from({ length: 50 }, () => api.chat.create({})));
    const gated = gatedModel();
    h.useModel(gated.model);
    const results = await Promise.allSettled(chats.map((c) => api.chat.send({ chatId: c.id, text })));
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(accepted).toHaveLength(10);
    for (const error of refused) {
      expect(error.code).toBe('FORBIDDEN');
      expect(appErrorOf(error)?.code).toBe('QUOTA_EXCEEDED');
      expect(error.message).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
    }
    // Refused before any provider call, and nothing of theirs was stored.
    expect(gated.model.doStreamCalls).toHaveLength(10);
    expect(gated.model.doStreamCalls.every((c) => c.maxOutputTokens === MAX_OUTPUT)).toBe(true);
    const [stored] = await rowsOf<{ n: number }>(
      h.db,
      sql`select count(*)::int as n from message where user_id = ${user.userId}`,
    );
    expect(Number(stored?.n)).toBe(20);
    const during = await api.users.limits();
    expect(during).toMatchObject({ period: 'day', maxTokens: worstCase(text) * 10, usedTokens: 0 });
    expect(during.reservedTokens).toBe(worstCase(text) * 10);

    gated.open();
    await Promise.all(accepted.map((s) => settled(api, s.assistantMessage.id)));
    await noneReserved(api);
    const after = await api.users.limits();
    expect(after.usedTokens).toBe(10 * 8);
    expect(after.usedTokens).toBeLessThanOrEqual(after.maxTokens ?? 0);
  });

  it('a failed reply gives its reservation back; a regenerate reserves like a send', async () => {
    const { user, api } = await userWithProvider('failing@spend.example');
    await (await as(root)).users.setUserLimits({ userId: user.userId, maxTokens: 1_000 });
    h.useModel(mockModel({ deltas: ['par'], failWith: new Error('provider fell over') }));
    const chat = await api.chat.create({});
    const sent = await api.chat.send({ chatId: chat.id, text: 'hi' });
    expect((await settled(api, sent.assistantMessage.id))?.type).toBe('error');
    await noneReserved(api);
    expect((await api.users.limits()).usedTokens).toBe(0);

    // Lowered by the user so that one more reply does not fit: regenerate is refused the same way.
    await api.users.setLimits({ maxTokens: worstCase('hi') - 1 });
    const error = await rejection(api.chat.regenerate({ messageId: sent.assistantMessage.id }));
    expect(appErrorOf(error)?.code).toBe('QUOTA_EXCEEDED');
    const replies = await rowsOf<{ n: number }>(
      h.db,
      sql`select count(*)::int as n from message where user_id = ${user.userId} and role = 'assistant'`,
    );
    expect(Number(replies[0]?.n)).toBe(1);
  });

  it('a reservation left by a reply that died is settled with what the reply recorded', async () => {
    const { user, api } = await userWithProvider('dead@spend.example');
    await (await as(root)).users.setUserLimits({ userId: user.userId, maxTokens: 10_000, period: 'month' });
    h.useModel(mockModel({ deltas: ['x'] }));
    const chat = await api.chat.create({});
    const sent = await api.chat.send({ chatId: chat.id, text: 'hi' });
    await settled(api, sent.assistantMessage.id);
    await noneReserved(api);
    const before = await api.users.limits();
    // As a server that died would leave it: the reservation still held, the reply finished with 40 + 2 tokens.
    await h.db.execute(
      sql`update message set input_tokens = 40, output_tokens = 2 where id = ${sent.assistantMessage.id}`,
    );
    await h.db.execute(sql`insert into spend_reservation (message_id, user_id, period, starts_at, tokens, created_at)
      values (${sent.assistantMessage.id}, ${user.userId}, 'month', ${new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).toISOString()}::timestamptz, 500, now() - interval '1 hour')`);
    await h.db.execute(
      sql`update spend_period set reserved_tokens = reserved_tokens + 500 where user_id = ${user.userId}`,
    );
    const after = await api.users.limits();
    expect(after.reservedTokens).toBe(0);
    expect(after.usedTokens).toBe(before.usedTokens + 42);
  });

  it('a reservation without a message (a gateway call) is kept while young and settled after an hour', async () => {
    const { user, api } = await userWithProvider('orphan@spend.example');
    await (await as(root)).users.setUserLimits({ userId: user.userId, maxTokens: 10_000, period: 'month' });
    const startsAt = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).toISOString();
    await h.db.execute(
      sql`insert into spend_period (user_id, period, starts_at) values (${user.userId}, 'month', ${startsAt}::timestamptz)`,
    );
    const hold = async (id: string, age: string, tokens: number) => {
      await h.db.execute(sql`insert into spend_reservation (message_id, user_id, period, starts_at, tokens, created_at)
        values (${id}, ${user.userId}, 'month', ${startsAt}::timestamptz, ${tokens}, now() - ${age}::interval)`);
      await h.db.execute(
        sql`update spend_period set reserved_tokens = reserved_tokens + ${tokens} where user_id = ${user.userId}`,
      );
    };
    await hold('live-call', '10 minutes', 300); // a gateway call still running (no message row says so)
    await hold('dead-call', '2 hours', 200);
    expect(await api.users.limits()).toMatchObject({ reservedTokens: 300, usedTokens: 0 });
  });
});

describe('what fails, and how', () => {
  it('a user may only lower what the admin allows, and not change the admin’s period', async () => {
    const { user, api } = await userWithProvider('lower@spend.example');
    await (await as(root)).users.setUserLimits({ userId: user.userId, period: 'day', maxTokens: 5_000 });
    expect(await api.users.setLimits({ maxTokens: 2_000 })).toMatchObject({ maxTokens: 2_000, period: 'day' });
    const higher = await rejection(api.users.setLimits({ maxTokens: 6_000 }));
    expect(higher.code).toBe('FORBIDDEN');
    const period = await rejection(api.users.setLimits({ period: 'month' }));
    expect(period.code).toBe('FORBIDDEN');
    // Removing their own cap leaves the admin's.
    expect(await api.users.setLimits({ maxTokens: null })).toMatchObject({ maxTokens: 5_000 });
    // The admin lowering below the user's own cap: the lower one holds.
    await api.users.setLimits({ maxTokens: 4_000 });
    await (await as(root)).users.setUserLimits({ userId: user.userId, maxTokens: 3_000 });
    expect((await api.users.limits()).maxTokens).toBe(3_000);
  });

  it('without any admin cap a user may set their own cap and period', async () => {
    const { api } = await userWithProvider('own@spend.example');
    expect(await api.users.setLimits({ period: 'day', maxTokens: 50 })).toMatchObject({ period: 'day', maxTokens: 50 });
    const chat = await api.chat.create({});
    const error = await rejection(api.chat.send({ chatId: chat.id, text: 'too much' }));
    expect(appErrorOf(error)?.code).toBe('QUOTA_EXCEEDED');
    expect((await api.chat.messages({ chatId: chat.id })).items).toEqual([]);
  });
});

describe('who may not', () => {
  it('an ordinary user cannot set caps for users; an admin naming no user gets NOT_FOUND', async () => {
    const { user, api } = await userWithProvider('plain@spend.example');
    const error = await rejection(api.users.setUserLimits({ userId: user.userId, maxTokens: 1_000_000 }));
    expect(error.code).toBe('FORBIDDEN');
    expect((await api.users.limits()).maxTokens).toBeNull();
    const missing = await rejection((await as(root)).users.setUserLimits({ userId: 'nobody', maxTokens: 5 }));
    expect(missing.code).toBe('NOT_FOUND');
  });
});
