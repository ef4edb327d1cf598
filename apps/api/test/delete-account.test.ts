// Account deletion: every session and API key refused at once, the email free for a new sign-up, then no row of
// the user left in any table once the background deletion ends; other users untouched; an interrupted deletion is
// finished by the function the app calls at start.
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDeletionsSettled, markAccountDeleted, resumeAccountDeletions } from '../src/modules/users/deletion.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';
import { rowCounts, seedChat, tablesWithUserId } from './helpers/seed.ts';

const log = pino({ level: 'silent' });
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await accountDeletionsSettled(h.db);
  await h.close();
});

const as = (u: SignedIn) => h.caller(u.headers);

/** A user with a row in every table: provider, preferences, API key, chats with a real reply and seeded ones. */
async function populated(email: string, pairs: number) {
  const u = await h.signUp(email);
  const api = await as(u);
  const provider = await api.providers.create({
    kind: 'openai-compatible',
    name: 'Mine',
    baseUrl: 'http://localhost:9/v1',
    apiKey: 'sk-delete-test-1234',
    defaultModel: 'mock-model',
  });
  await api.users.updatePreferences({ systemPrompt: 'x' });
  h.useModel(mockModel());
  const chat = await api.chat.create({ providerId: provider.id });
  const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'hello' });
  const events = (await api.chat.stream({ messageId: assistantMessage.id })) as AsyncIterable<
    [string, { type: string }]
  >;
  for await (const [, data] of events) if (data.type !== 'text-delta') break;
  // Across the deletion's batches of 1,000, in several chats.
  await seedChat(h.db, { userId: u.userId, pairs, providerId: provider.id });
  await seedChat(h.db, { userId: u.userId, pairs: 10 });
  // A spend cap, its period and a reservation held (as while a reply generates), and a gateway call's usage.
  await api.users.setLimits({ maxTokens: 1_000_000 });
  await h.db.execute(sql`insert into spend_period (user_id, period, starts_at) values (${u.userId}, 'month', now())`);
  await h.db.execute(sql`insert into spend_reservation (message_id, user_id, period, starts_at, tokens)
    values (${`held-${u.userId}`}, ${u.userId}, 'month', now(), 10)`);
  await h.db.execute(sql`insert into gateway_usage (user_id, day, api_key_id) values (${u.userId}, current_date, 'k')`);
  const key = await h.auth.api.createApiKey({ body: { name: 'script', userId: u.userId } });
  return { ...u, email, keyHeaders: new Headers({ 'x-api-key': key.key }) };
}

async function code(promise: Promise<unknown>) {
  return (await rejection(promise)).code;
}

describe('what works', () => {
  it('sessions and keys die at once, the email is free at once, and then no row of the user is left', async () => {
    const doomed = await populated('doomed@delete.example', 1_300);
    const other = await populated('other@delete.example', 20);
    const otherBefore = await rowCounts(h.db, other.userId, other.email);
    const doomedBefore = await rowCounts(h.db, doomed.userId, doomed.email);
    // Every table with a user_id holds something of this user, so "none left" below means something.
    expect(Object.keys(doomedBefore)).toEqual(expect.arrayContaining(tablesWithUserId()));
    expect(Object.entries(doomedBefore).filter(([table, n]) => table !== 'verification' && n === 0)).toEqual([]);
    const laptop = await h.signIn(doomed.email, 'laptop');

    expect(await (await as(doomed)).users.deleteAccount({ confirmEmail: 'DOOMED@delete.example' })).toEqual({
      deleted: true,
    });
    // At once, before the background deletion has finished: every way in is refused.
    for (const headers of [doomed.headers, laptop.headers, doomed.keyHeaders]) {
      expect(await code((await h.caller(headers)).users.me())).toBe('UNAUTHORIZED');
    }
    expect(await (await h.caller(doomed.headers)).auth.getSession()).toBeNull();
    const again = await h.signUp(doomed.email);
    expect(again.userId).not.toBe(doomed.userId);

    await accountDeletionsSettled(h.db);
    const after = await rowCounts(h.db, doomed.userId);
    expect(Object.entries(after).filter(([, n]) => n !== 0)).toEqual([]);
    expect(await rowCounts(h.db, other.userId, other.email)).toEqual(otherBefore);
    expect((await (await h.caller(other.keyHeaders)).users.me()).email).toBe(other.email);
    expect((await (await as(again)).users.me()).email).toBe(doomed.email);
  });

  it('an interrupted deletion (marked, rows left) is finished by resumeAccountDeletions at start', async () => {
    const crashed = await populated('crashed@delete.example', 1_100);
    const bystander = await populated('bystander@delete.example', 5);
    const bystanderBefore = await rowCounts(h.db, bystander.userId, bystander.email);
    // What the request does before a process dies: the mark, but no row deleted yet.
    await markAccountDeleted(h.db, crashed.userId, crashed.email);
    expect((await rowCounts(h.db, crashed.userId)).message).toBe(2_222);
    expect(await code((await h.caller(crashed.keyHeaders)).users.me())).toBe('UNAUTHORIZED');

    expect(await resumeAccountDeletions({ db: h.db, log })).toBe(1);
    await accountDeletionsSettled(h.db);
    expect(Object.entries(await rowCounts(h.db, crashed.userId)).filter(([, n]) => n !== 0)).toEqual([]);
    expect(await rowCounts(h.db, bystander.userId, bystander.email)).toEqual(bystanderBefore);
    expect(await resumeAccountDeletions({ db: h.db, log })).toBe(0);
  });
});

describe('what fails, and how', () => {
  it('a wrong confirmEmail deletes nothing and ends nothing', async () => {
    const careful = await populated('careful@delete.example', 2);
    const before = await rowCounts(h.db, careful.userId, careful.email);
    const error = await rejection((await as(careful)).users.deleteAccount({ confirmEmail: 'someone@else.example' }));
    expect(appErrorOf(error)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'confirmEmail' });
    await accountDeletionsSettled(h.db);
    expect(await rowCounts(h.db, careful.userId, careful.email)).toEqual(before);
    expect((await (await h.caller(careful.keyHeaders)).users.me()).email).toBe(careful.email);
  });
});

describe('who may not', () => {
  it('signed out, deleteAccount is UNAUTHORIZED', async () => {
    expect(await code((await h.caller()).users.deleteAccount({ confirmEmail: 'x@delete.example' }))).toBe(
      'UNAUTHORIZED',
    );
  });
});
