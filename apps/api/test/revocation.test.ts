// Who is calling is read afresh on every request (src/shared/session-lookup.ts): every revocation counts on the very
// next request, a session due for its daily refresh is extended by Better Auth, and API keys are limited per minute.
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apikey, session, user } from '../src/shared/db/schema/index.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ API_KEY_RATE_LIMIT_PER_MINUTE: '5' });
});
afterAll(async () => {
  await h.close();
});

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return (error as TRPCError).code;
}

async function keyFor(userId: string) {
  const created = await h.auth.api.createApiKey({ body: { name: 'script', userId } });
  return { id: created.id, headers: new Headers({ 'x-api-key': created.key }) };
}

describe('refused on the very next request', () => {
  it('a signed-out session', async () => {
    const ada = await h.signUp('signout@example.com');
    expect((await (await h.caller(ada.headers)).users.me()).email).toBe('signout@example.com');
    await h.auth.api.signOut({ headers: ada.headers });
    expect(await code((await h.caller(ada.headers)).users.me())).toBe('UNAUTHORIZED');
  });

  it('a session revoked from another device', async () => {
    await h.signUp('revoked@example.com');
    const laptop = await h.signIn('revoked@example.com', 'laptop');
    const phone = await h.signIn('revoked@example.com', 'phone');
    expect((await (await h.caller(phone.headers)).users.me()).email).toBe('revoked@example.com');
    await (await h.caller(laptop.headers)).auth.revokeSession({ sessionId: phone.sessionId });
    expect(await code((await h.caller(phone.headers)).users.me())).toBe('UNAUTHORIZED');
    expect((await (await h.caller(laptop.headers)).users.me()).email).toBe('revoked@example.com');
  });

  it('a changed role: an admin demoted loses admin procedures at once, a user promoted gains them', async () => {
    const admin = await h.signUp('boss@example.com');
    const other = await h.signUp('worker@example.com');
    await h.db.update(user).set({ role: 'admin' }).where(eq(user.id, admin.userId));
    expect((await (await h.caller(admin.headers)).users.list({})).items.length).toBeGreaterThan(0);
    expect(await code((await h.caller(other.headers)).users.list({}))).toBe('FORBIDDEN');
    await (await h.caller(admin.headers)).users.setRole({ userId: other.userId, role: 'admin' });
    expect((await (await h.caller(other.headers)).users.list({})).items.length).toBeGreaterThan(0);
    await (await h.caller(other.headers)).users.setRole({ userId: admin.userId, role: 'user' });
    expect(await code((await h.caller(admin.headers)).users.list({}))).toBe('FORBIDDEN');
  });

  it('a deleted user, by cookie and by API key', async () => {
    const gone = await h.signUp('deleted@example.com');
    const key = await keyFor(gone.userId);
    expect((await (await h.caller(key.headers)).users.me()).email).toBe('deleted@example.com');
    await (await h.caller(gone.headers)).users.deleteAccount({ confirmEmail: 'deleted@example.com' });
    expect(await code((await h.caller(gone.headers)).users.me())).toBe('UNAUTHORIZED');
    expect(await code((await h.caller(key.headers)).users.me())).toBe('UNAUTHORIZED');
  });

  it('a revoked, a disabled and an expired API key', async () => {
    const owner = await h.signUp('keys-revoked@example.com');
    const revoked = await keyFor(owner.userId);
    const disabled = await keyFor(owner.userId);
    const expired = await keyFor(owner.userId);
    for (const key of [revoked, disabled, expired]) {
      expect((await (await h.caller(key.headers)).users.me()).id).toBe(owner.userId);
    }
    await (await h.caller(owner.headers)).auth.apiKeys.revoke({ id: revoked.id });
    await h.db.update(apikey).set({ enabled: false }).where(eq(apikey.id, disabled.id));
    await h.db
      .update(apikey)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apikey.id, expired.id));
    for (const key of [revoked, disabled, expired]) {
      expect(await code((await h.caller(key.headers)).users.me())).toBe('UNAUTHORIZED');
    }
  });

  it('a cookie whose signature does not match its token, even for a live session', async () => {
    const ada = await h.signUp('forged@example.com');
    const [row] = await h.db.select({ token: session.token }).from(session).where(eq(session.id, ada.sessionId));
    const forged = new Headers({ cookie: `better-auth.session_token=${row?.token}.${'A'.repeat(43)}=` });
    expect(await code((await h.caller(forged)).users.me())).toBe('UNAUTHORIZED');
  });
});

describe('what keeps working', () => {
  it('a session due for its daily refresh is extended by Better Auth and still answers', async () => {
    const ada = await h.signUp('refresh@example.com');
    // Created 2 days ago: a 30-day session past its 1-day update age.
    const dueAt = new Date(Date.now() + 28 * 86_400_000);
    await h.db.update(session).set({ expiresAt: dueAt }).where(eq(session.id, ada.sessionId));
    expect((await (await h.caller(ada.headers)).users.me()).email).toBe('refresh@example.com');
    const [row] = await h.db
      .select({ expiresAt: session.expiresAt })
      .from(session)
      .where(eq(session.id, ada.sessionId));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it('a fresh session is read with one query and written never', async () => {
    const ada = await h.signUp('onequery@example.com');
    h.queries.length = 0;
    const ctx = await h.context(ada.headers);
    expect(ctx.user?.email).toBe('onequery@example.com');
    expect(h.queries).toHaveLength(1);
    expect(h.queries[0]).toMatch(/^select .* from "session" inner join "user"/);
  });

  it('a cookie is preferred to an API key of another user sent with it', async () => {
    const browser = await h.signUp('cookie-first@example.com');
    const other = await h.signUp('key-owner@example.com');
    const key = await keyFor(other.userId);
    const both = new Headers(browser.headers);
    both.set('x-api-key', key.headers.get('x-api-key') ?? '');
    expect((await (await h.caller(both)).users.me()).id).toBe(browser.userId);
  });
});

describe('API keys are limited per minute', () => {
  it('past the limit a key is RATE_LIMITED (TOO_MANY_REQUESTS); another key is not', async () => {
    const owner = await h.signUp('limited@example.com');
    const busy = await keyFor(owner.userId);
    const quiet = await keyFor(owner.userId);
    for (let i = 0; i < 5; i++) await (await h.caller(busy.headers)).users.me();
    expect(await code((await h.caller(busy.headers)).users.me())).toBe('TOO_MANY_REQUESTS');
    expect((await (await h.caller(quiet.headers)).users.me()).id).toBe(owner.userId);
  });

  it('records when a key was last used', async () => {
    const owner = await h.signUp('lastused@example.com');
    const key = await keyFor(owner.userId);
    await (await h.caller(key.headers)).users.me();
    await expect
      .poll(async () => (await (await h.caller(owner.headers)).auth.apiKeys.list())[0]?.lastUsedAt)
      .toBeInstanceOf(Date);
  });
});
