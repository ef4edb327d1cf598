// users.usage from the per-day rollups kept by the database's triggers: totals equal the sums over the replies,
// whoever wrote them (the reply engine, a plain UPDATE, an INSERT of a finished reply), through deletions, a
// deleted provider, and the migration's backfill of replies that existed before it.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/shared/db/client.ts';
import { MIGRATIONS_FOLDER } from '../src/shared/db/client.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';
import { rowsOf, seedChat } from './helpers/seed.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const as = (u: SignedIn) => h.caller(u.headers);

interface Sums {
  providerId: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  messages: number;
  /** No prices are set in these tests: users.usage reports no cost. */
  cost: null;
}

/** What the old query answered: the sums over the user's finished replies, read from the messages themselves. */
async function sumsFromMessages(db: Db, userId: string, fromDay?: string, toDay?: string): Promise<Sums[]> {
  const rows = await rowsOf<Sums>(
    db,
    sql`select m.provider_id as "providerId", m.model,
          coalesce(sum(m.input_tokens), 0)::int as "inputTokens", coalesce(sum(m.output_tokens), 0)::int as "outputTokens",
          count(*)::int as messages
        from message m
        where m.user_id = ${userId} and m.role = 'assistant' and m.status in ('complete', 'stopped', 'error')
          and (${fromDay ?? null}::date is null or (m.created_at at time zone 'UTC')::date >= ${fromDay ?? null}::date)
          and (${toDay ?? null}::date is null or (m.created_at at time zone 'UTC')::date <= ${toDay ?? null}::date)
        group by 1, 2 order by 1, 2`,
  );
  return rows.map((r) => ({
    ...r,
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    cost: null,
  }));
}

function totalsOf(rows: Sums[]) {
  return {
    inputTokens: rows.reduce((n, r) => n + r.inputTokens, 0),
    outputTokens: rows.reduce((n, r) => n + r.outputTokens, 0),
    messages: rows.reduce((n, r) => n + r.messages, 0),
    cost: null,
  };
}

async function providerFor(u: SignedIn, name: string) {
  return (await as(u)).providers.create({
    kind: 'openai-compatible',
    name,
    baseUrl: 'http://localhost:9/v1',
    apiKey: 'sk-usage-test-0000',
    defaultModel: 'mock-model',
  });
}

async function reply(u: SignedIn, chatId: string, text: string) {
  const api = await as(u);
  const { assistantMessage } = await api.chat.send({ chatId, text });
  const events = (await api.chat.stream({ messageId: assistantMessage.id })) as AsyncIterable<
    [string, { type: string }]
  >;
  for await (const [, data] of events) if (data.type !== 'text-delta') break;
}

describe('what works', () => {
  it('replies finished by the engine count once each, and the totals equal the sums over the messages', async () => {
    const ada = await h.signUp('ada@usage.example');
    const provider = await providerFor(ada, 'Main');
    h.useModel(mockModel({ deltas: ['a', 'b', 'c'] }));
    const chat = await (await as(ada)).chat.create({ providerId: provider.id });
    for (const text of ['one', 'two', 'three']) await reply(ada, chat.id, text);

    const usage = await (await as(ada)).users.usage({});
    const expected = await sumsFromMessages(h.db, ada.userId);
    expect(expected).toEqual([
      { providerId: provider.id, model: 'mock-model', inputTokens: 21, outputTokens: 9, messages: 3, cost: null },
    ]);
    expect(usage.byModel).toEqual(expected);
    expect(usage.totals).toEqual(totalsOf(expected));
  });

  it('thousands of seeded replies over several days, grouped by provider and model, and bounded by day', async () => {
    const alan = await h.signUp('alan@usage.example');
    const first = await providerFor(alan, 'First');
    const second = await providerFor(alan, 'Second');
    const day = (n: number) => new Date(Date.UTC(2026, 0, n, 23, 59, 0));
    await seedChat(h.db, { userId: alan.userId, pairs: 1_500, providerId: first.id, model: 'm1', start: day(1) });
    await seedChat(h.db, { userId: alan.userId, pairs: 700, providerId: second.id, model: 'm2', start: day(3) });
    await seedChat(h.db, { userId: alan.userId, pairs: 300, providerId: null, model: 'm3', start: day(5) });

    const api = await as(alan);
    const all = await api.users.usage({});
    expect(all.byModel).toEqual(await sumsFromMessages(h.db, alan.userId));
    expect(all.totals).toEqual({ inputTokens: 2_500 * 3, outputTokens: 2_500 * 5, messages: 2_500, cost: null });

    // Whole UTC days: `from` in the middle of 2 January counts all of it, `to` on 3 January all of that day.
    const bounded = await api.users.usage({
      from: new Date(Date.UTC(2026, 0, 2, 12)),
      to: new Date(Date.UTC(2026, 0, 3, 1)),
    });
    expect(bounded.byModel).toEqual(await sumsFromMessages(h.db, alan.userId, '2026-01-02', '2026-01-03'));
    expect(bounded.totals.messages).toBeGreaterThan(0);
    expect(bounded.totals.messages).toBeLessThan(all.totals.messages);
    const later = await api.users.usage({ from: new Date(Date.UTC(2026, 0, 10)) });
    expect(later).toEqual({ totals: { inputTokens: 0, outputTokens: 0, messages: 0, cost: null }, byModel: [] });
    // The widest range the input takes (years 1 to 9999) counts everything.
    const widest = { from: new Date('0001-01-01T00:00:00Z'), to: new Date('9999-12-31T23:59:59Z') };
    expect((await api.users.usage(widest)).totals).toEqual(all.totals);
  });

  it('any writer counts: a reply closed by a plain UPDATE, a finished reply INSERTed, a checkpoint does not', async () => {
    const grace = await h.signUp('grace@usage.example');
    const chatId = await seedChat(h.db, { userId: grace.userId, pairs: 0 });
    await h.db.execute(sql`insert into message (id, user_id, chat_id, role, status, model) values
      ('g-live', ${grace.userId}, ${chatId}, 'assistant', 'streaming', 'live-model'),
      ('g-done', ${grace.userId}, ${chatId}, 'assistant', 'stopped', 'live-model')`);
    await h.db.execute(sql`update message set text = 'partial' where id = 'g-live'`);
    expect((await (await as(grace)).users.usage({})).totals.messages).toBe(1);
    // What start-up recovery does to a reply whose process died: error, no tokens.
    await h.db.execute(sql`update message set status = 'error', error = 'interrupted' where id = 'g-live'`);
    await h.db.execute(sql`update message set input_tokens = 4, output_tokens = 6 where id = 'g-done'`);
    const usage = await (await as(grace)).users.usage({});
    expect(usage.byModel).toEqual(await sumsFromMessages(h.db, grace.userId));
    expect(usage.totals).toEqual({ inputTokens: 4, outputTokens: 6, messages: 2, cost: null });
  });

  it('deleting a chat takes its replies out; a deleted provider shows as null, as on the messages', async () => {
    const linus = await h.signUp('linus@usage.example');
    const kept = await providerFor(linus, 'Kept');
    const dropped = await providerFor(linus, 'Dropped');
    const goneChat = await seedChat(h.db, { userId: linus.userId, pairs: 40, providerId: kept.id, model: 'm' });
    await seedChat(h.db, { userId: linus.userId, pairs: 10, providerId: kept.id, model: 'm' });
    await seedChat(h.db, { userId: linus.userId, pairs: 5, providerId: dropped.id, model: 'm' });
    await seedChat(h.db, { userId: linus.userId, pairs: 2, providerId: null, model: 'm' });

    const api = await as(linus);
    await api.chat.delete({ id: goneChat });
    await api.providers.delete({ id: dropped.id });
    const usage = await api.users.usage({});
    const expected = await sumsFromMessages(h.db, linus.userId);
    expect(expected).toEqual([
      { providerId: kept.id, model: 'm', inputTokens: 30, outputTokens: 50, messages: 10, cost: null },
      { providerId: null, model: 'm', inputTokens: 21, outputTokens: 35, messages: 7, cost: null },
    ]);
    expect(usage.byModel).toEqual(expected);
  });

  it("one user's usage never includes another's", async () => {
    const a = await h.signUp('a@usage.example');
    const b = await h.signUp('b@usage.example');
    await seedChat(h.db, { userId: a.userId, pairs: 20 });
    expect((await (await as(b)).users.usage({})).totals.messages).toBe(0);
    expect((await (await as(a)).users.usage({})).totals.messages).toBe(20);
  });

  it('the migration backfills the rollups from the replies that existed before it (PGlite)', async () => {
    // A copy of the migrations without 0004, then the data, then the whole folder: what an upgrade does.
    const before = mkdtempSync(join(tmpdir(), 'parley-migrations-'));
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalFile = join(before, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    const index = journal.entries.findIndex((e: { tag: string }) => e.tag.startsWith('0004_'));
    journal.entries = journal.entries.slice(0, index);
    writeFileSync(journalFile, JSON.stringify(journal));

    const client = await PGlite.create();
    try {
      const db = drizzle({ client }) as unknown as Db;
      await migrate(drizzle({ client }), { migrationsFolder: before });
      await db.execute(sql`insert into "user" (id, name, email) values ('old', 'Old', 'old@usage.example')`);
      await db.execute(sql`insert into chat (id, user_id) values ('old-chat', 'old')`);
      await db.execute(sql`insert into message (id, user_id, chat_id, role, status, model, input_tokens, output_tokens, created_at)
        select 'old-' || g, 'old', 'old-chat', case when g % 2 = 0 then 'assistant' else 'user' end,
          case when g = 10 then 'streaming' else 'complete' end, 'm', 2, 3, now() - (g % 3) * interval '1 day'
        from generate_series(1, 200) g`);
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
      const [rollup] = await rowsOf<{ i: number; o: number; n: number }>(
        db,
        sql`select sum(input_tokens)::int as i, sum(output_tokens)::int as o, sum(messages)::int as n from usage_daily where user_id = 'old'`,
      );
      // 100 replies, one of them still streaming (it counts when it finishes).
      expect(rollup).toEqual({ i: 99 * 2, o: 99 * 3, n: 99 });
      await db.execute(sql`update message set status = 'complete' where id = 'old-10'`);
      const [after] = await rowsOf<{ n: number }>(db, sql`select sum(messages)::int as n from usage_daily`);
      expect(after?.n).toBe(100);
    } finally {
      await client.close();
    }
  });
});
