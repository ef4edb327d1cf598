// users.usage with cost (from the prices users set on their providers) and grouped by day. Real router, real
// database; replies are written by the router with the mock model, and older days by SQL (the rollup trigger counts
// them by their creation day).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const today = () => new Date().toISOString().slice(0, 10);

describe('what works', () => {
  it('cost comes from the provider prices, per model; unpriced models have none; byDay sums each UTC day', async () => {
    const user = await h.signUp('cost@usage.example');
    const api = await h.caller(user.headers);
    const provider = await api.providers.create({
      kind: 'openai-compatible',
      name: 'Priced',
      baseUrl: 'http://localhost:9/v1',
      defaultModel: 'priced-model',
      prices: [{ model: 'priced-model', inputPerMTok: 2, outputPerMTok: 10 }],
    });
    expect(provider.prices).toEqual([{ model: 'priced-model', inputPerMTok: 2, outputPerMTok: 10 }]);
    const chat = await api.chat.create({});
    for (const model of ['priced-model', 'priced-model', 'free-model']) {
      h.useModel(mockModel()); // 7 input tokens, 4 output tokens
      const sent = await api.chat.send({ chatId: chat.id, text: 'hi', model });
      const events = (await api.chat.stream({ messageId: sent.assistantMessage.id })) as AsyncIterable<unknown>;
      for await (const _ of events) {
        // until the final event
      }
    }
    // Two days ago: a finished reply of 1,000,000 input and 500,000 output tokens of the priced model.
    await h.db.execute(sql`insert into message (id, user_id, chat_id, parent_id, role, status, model, provider_id,
        input_tokens, output_tokens, created_at)
      values ('old-reply', ${user.userId}, ${chat.id}, null, 'assistant', 'complete', 'priced-model', ${provider.id},
        1000000, 500000, now() - interval '2 days')`);

    const usage = await api.users.usage({});
    expect(usage.byModel).toEqual([
      { providerId: provider.id, model: 'free-model', inputTokens: 7, outputTokens: 4, messages: 1, cost: null },
      {
        providerId: provider.id,
        model: 'priced-model',
        inputTokens: 1_000_014,
        outputTokens: 500_008,
        messages: 3,
        cost: (1_000_014 * 2 + 500_008 * 10) / 1e6,
      },
    ]);
    expect(usage.totals).toEqual({
      inputTokens: 1_000_021,
      outputTokens: 500_012,
      messages: 4,
      cost: (1_000_014 * 2 + 500_008 * 10) / 1e6,
    });
    expect(usage.byDay).toBeUndefined();

    const byDay = await api.users.usage({ groupBy: 'day' });
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    expect(byDay.byDay).toEqual([
      { day: twoDaysAgo, inputTokens: 1_000_000, outputTokens: 500_000, messages: 1, cost: 7 },
      { day: today(), inputTokens: 21, outputTokens: 12, messages: 3, cost: (14 * 2 + 8 * 10) / 1e6 },
    ]);
    expect(byDay.totals).toEqual(usage.totals);
    expect(byDay.byModel).toEqual(usage.byModel);

    // Changed prices count from then on, for the whole range asked (they are the user's figures, not a ledger).
    await api.providers.update({ id: provider.id, prices: [] });
    expect((await api.users.usage({})).totals.cost).toBeNull();
    const ranged = await api.users.usage({ from: new Date(), groupBy: 'day' });
    expect(ranged.byDay?.map((d) => d.day)).toEqual([today()]);
  });
});

describe('what fails, and how', () => {
  it('a negative price, or two prices for one model, is BAD_REQUEST', async () => {
    const user = await h.signUp('bad@usage.example');
    const api = await h.caller(user.headers);
    const base = { kind: 'openai-compatible' as const, name: 'X', baseUrl: 'http://localhost:9/v1' };
    const negative = await rejection(
      api.providers.create({ ...base, prices: [{ model: 'm', inputPerMTok: -1, outputPerMTok: 1 }] }),
    );
    expect(negative.code).toBe('BAD_REQUEST');
    const twice = await rejection(
      api.providers.create({
        ...base,
        prices: [
          { model: 'm', inputPerMTok: 1, outputPerMTok: 1 },
          { model: 'm', inputPerMTok: 2, outputPerMTok: 2 },
        ],
      }),
    );
    expect(twice.code).toBe('BAD_REQUEST');
    expect(await api.providers.list()).toEqual([]);
  });
});

describe('who may not', () => {
  it("another user's usage is never counted, and a price on another user's provider cannot be set", async () => {
    const ada = await h.signUp('ada@usage.example');
    const bob = await h.signUp('bob@usage.example');
    const adas = await (await h.caller(ada.headers)).providers.create({
      kind: 'openai-compatible',
      name: 'Ada',
      baseUrl: 'http://localhost:9/v1',
    });
    const bobApi = await h.caller(bob.headers);
    const error = await rejection(
      bobApi.providers.update({ id: adas.id, prices: [{ model: 'm', inputPerMTok: 0, outputPerMTok: 0 }] }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(await bobApi.users.usage({ groupBy: 'day' })).toEqual({
      totals: { inputTokens: 0, outputTokens: 0, messages: 0, cost: null },
      byModel: [],
      byDay: [],
    });
  });
});
