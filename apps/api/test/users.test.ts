// users.* through createCaller against a real database: profile, preferences, usage, export, deletion, admin.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDeletionsSettled } from '../src/modules/users/deletion.ts';
import { apikey, session, user as userTable } from '../src/shared/db/schema/index.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, PASSWORD, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';
import { tablesWithUserId } from './helpers/seed.ts';

const PROVIDER_KEY = 'sk-users-test-7a6b5c4d3e2f1a0b';
/** Every table with a user_id column: after deletion, none may hold a row of the deleted user. */
const USER_TABLES = tablesWithUserId();

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ ADMIN_EMAILS: 'root@users.example' });
});
afterAll(async () => {
  await h.close();
});

const as = (u: SignedIn) => h.caller(u.headers);

async function providerFor(u: SignedIn, name = 'Mine') {
  return (await as(u)).providers.create({
    kind: 'openai-compatible',
    name,
    baseUrl: 'http://localhost:9/v1',
    apiKey: PROVIDER_KEY,
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
  return assistantMessage;
}

async function rowsOf(userId: string) {
  const counts: Record<string, number> = {};
  for (const table of USER_TABLES) {
    const result = await h.db.execute(sql.raw(`select count(*)::int as n from "${table}" where user_id = '${userId}'`));
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
    counts[table] = Number(rows[0]?.n);
  }
  const [own] = await h.db.select({ n: sql<number>`count(*)::int` }).from(userTable).where(eq(userTable.id, userId));
  counts.user = Number(own?.n);
  return counts;
}

describe('what works', () => {
  it('me shows the user and empty preferences; updateProfile changes name and picture', async () => {
    const ada = await h.signUp('ada@users.example', 'Ada');
    const api = await as(ada);
    expect(await api.users.me()).toMatchObject({
      id: ada.userId,
      email: 'ada@users.example',
      name: 'Ada',
      role: 'user',
      preferences: { defaultProviderId: null, defaultModel: null, systemPrompt: null },
    });
    const updated = await api.users.updateProfile({ name: 'Ada L.', image: 'https://img.example/ada.png' });
    expect(updated).toMatchObject({ name: 'Ada L.', image: 'https://img.example/ada.png' });
    expect((await api.users.updateProfile({ image: null })).image).toBeNull();
  });

  it('preferences feed chat.send when the chat names no provider, and supply the system prompt', async () => {
    const grace = await h.signUp('grace@users.example');
    const api = await as(grace);
    const provider = await providerFor(grace);
    const prefs = await api.users.updatePreferences({
      defaultProviderId: provider.id,
      defaultModel: 'preferred-model',
      systemPrompt: 'Answer in French.',
    });
    expect(prefs).toEqual({
      defaultProviderId: provider.id,
      defaultModel: 'preferred-model',
      systemPrompt: 'Answer in French.',
    });
    const model = mockModel();
    h.useModel(model);
    const chat = await api.chat.create({});
    const sent = await reply(grace, chat.id, 'Bonjour?');
    expect(sent).toMatchObject({ providerId: provider.id, model: 'preferred-model' });
    expect(JSON.stringify(model.doStreamCalls[0]?.prompt)).toContain('Answer in French.');
    expect((await api.users.me()).preferences.defaultProviderId).toBe(provider.id);
  });

  it('usage sums tokens and replies by provider and model over a time range', async () => {
    const alan = await h.signUp('alan@users.example');
    const api = await as(alan);
    const provider = await providerFor(alan);
    h.useModel(mockModel({ deltas: ['a', 'b', 'c'] }));
    const chat = await api.chat.create({ providerId: provider.id });
    await reply(alan, chat.id, 'one');
    await reply(alan, chat.id, 'two');
    const usage = await api.users.usage({});
    expect(usage.totals).toEqual({ inputTokens: 14, outputTokens: 6, messages: 2, cost: null });
    expect(usage.byModel).toEqual([
      { providerId: provider.id, model: 'mock-model', inputTokens: 14, outputTokens: 6, messages: 2, cost: null },
    ]);
    // Usage counts whole UTC days (rollups per day): the day after tomorrow holds nothing yet.
    const future = await api.users.usage({ from: new Date(Date.now() + 2 * 86_400_000) });
    expect(future).toEqual({ totals: { inputTokens: 0, outputTokens: 0, messages: 0, cost: null }, byModel: [] });
  });

  it('exportData holds the chats and messages, and no secret at all', async () => {
    const barbara = await h.signUp('barbara@users.example');
    const api = await as(barbara);
    const provider = await providerFor(barbara);
    h.useModel(mockModel({ deltas: ['exported reply'] }));
    const chat = await api.chat.create({ providerId: provider.id, title: 'Export me' });
    await reply(barbara, chat.id, 'remember this');
    const created = await api.auth.apiKeys.create({ name: 'script' });

    const data = await api.users.exportData();
    expect(data.user.email).toBe('barbara@users.example');
    expect(data.providers).toEqual([expect.objectContaining({ id: provider.id, apiKeyHint: 'sk-…1a0b' })]);
    expect(data.chats).toHaveLength(1);
    expect(data.chats[0]?.messages.map((m) => m.text)).toEqual(['remember this', 'exported reply']);

    const json = JSON.stringify(data);
    const [keyRow] = await h.db.select().from(apikey).where(eq(apikey.id, created.id));
    const [sessionRow] = await h.db.select().from(session).where(eq(session.userId, barbara.userId));
    for (const secret of [PROVIDER_KEY, created.key, keyRow?.key, sessionRow?.token, PASSWORD, '$argon2']) {
      expect(secret && json.includes(secret)).toBe(false);
    }
  });

  it('deleteAccount removes every row the user owns, leaves others alone, and kills the old session', async () => {
    const doomed = await h.signUp('doomed@users.example');
    const other = await h.signUp('other@users.example');
    for (const u of [doomed, other]) {
      const provider = await providerFor(u);
      h.useModel(mockModel());
      const chat = await (await as(u)).chat.create({ providerId: provider.id });
      await reply(u, chat.id, 'hello');
      await (await as(u)).users.updatePreferences({ systemPrompt: 'x' });
      await (await as(u)).auth.apiKeys.create({ name: 'k' });
      // A cap, its period and a reservation held (as while a reply generates).
      await (await as(u)).users.setLimits({ maxTokens: 1_000_000 });
      await h.db.execute(
        sql`insert into spend_period (user_id, period, starts_at) values (${u.userId}, 'month', now())`,
      );
      await h.db.execute(sql`insert into spend_reservation (message_id, user_id, period, starts_at, tokens)
        values (${`held-${u.userId}`}, ${u.userId}, 'month', now(), 10)`);
      await h.db.execute(
        sql`insert into gateway_usage (user_id, day, api_key_id) values (${u.userId}, current_date, 'k')`,
      );
    }
    const before = await rowsOf(other.userId);
    expect(Object.values(await rowsOf(doomed.userId)).every((n) => n > 0)).toBe(true);

    const wrong = await rejection((await as(doomed)).users.deleteAccount({ confirmEmail: 'other@users.example' }));
    expect(appErrorOf(wrong)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'confirmEmail' });

    expect(await (await as(doomed)).users.deleteAccount({ confirmEmail: 'DOOMED@users.example' })).toEqual({
      deleted: true,
    });
    // The rows go in the background; the sessions and keys went in the request.
    expect(await (await as(doomed)).auth.getSession()).toBeNull();
    await accountDeletionsSettled(h.db);
    expect(Object.values(await rowsOf(doomed.userId)).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(other.userId)).toEqual(before);
    expect(await (await as(doomed)).auth.getSession()).toBeNull();
  });

  it('the emails in ADMIN_EMAILS sign up as admins; an admin lists, searches and promotes users', async () => {
    const root = await h.signUp('root@users.example', 'Root');
    const admin = await as(root);
    expect((await admin.users.me()).role).toBe('admin');
    const first = await admin.users.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await admin.users.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((u) => u.id)).not.toContain(first.items[0]?.id);
    const found = await admin.users.list({ search: 'GRACE@' });
    expect(found.items.map((u) => u.email)).toEqual(['grace@users.example']);
    const target = found.items[0]?.id as string;
    expect((await admin.users.setRole({ userId: target, role: 'admin' })).role).toBe('admin');
    expect((await admin.users.setRole({ userId: target, role: 'user' })).role).toBe('user');
  });
});

describe('what fails, and how', () => {
  it('bad profile and preference input names the field', async () => {
    const linus = await h.signUp('linus@users.example');
    const api = await as(linus);
    expect((await rejection(api.users.updateProfile({ name: '' }))).message).toContain('name');
    expect((await rejection(api.users.updateProfile({ image: 'javascript:alert(1)' }))).message).toContain('image');
    expect((await rejection(api.users.usage({ from: new Date(2), to: new Date(1) }))).message).toContain('from');
  });

  it("a preference pointing at another user's provider is refused", async () => {
    const owner = await h.signUp('owner@users.example');
    const thief = await h.signUp('thief@users.example');
    const provider = await providerFor(owner);
    const error = await rejection((await as(thief)).users.updatePreferences({ defaultProviderId: provider.id }));
    expect(error.code).toBe('NOT_FOUND');
    expect(appErrorOf(error)?.code).toBe('PROVIDER_NOT_FOUND');
    expect((await (await as(thief)).users.me()).preferences.defaultProviderId).toBeNull();
  });

  it('the last admin cannot be demoted', async () => {
    const [onlyAdmin] = await h.db.select().from(userTable).where(eq(userTable.role, 'admin'));
    expect(onlyAdmin?.email).toBe('root@users.example');
    const root = await h.signIn('root@users.example');
    const error = await rejection((await as(root)).users.setRole({ userId: onlyAdmin?.id as string, role: 'user' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(appErrorOf(error)?.code).toBe('LAST_ADMIN');
    expect((await (await as(root)).users.me()).role).toBe('admin');
  });
});

describe('who may not', () => {
  it('admin procedures are FORBIDDEN for ordinary users', async () => {
    const plain = await h.signUp('plain@users.example');
    const api = await as(plain);
    expect((await rejection(api.users.list({}))).code).toBe('FORBIDDEN');
    expect((await rejection(api.users.setRole({ userId: plain.userId, role: 'admin' }))).code).toBe('FORBIDDEN');
    expect((await api.users.me()).role).toBe('user');
  });
});
