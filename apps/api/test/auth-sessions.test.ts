// auth.* session procedures through createCaller, against a real database and the real Better Auth.
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, session } from '../src/shared/db/schema/index.ts';
import type { AppError } from '../src/shared/lib/errors.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function rejection(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe('what works', () => {
  it('getSession is null when signed out and names the user when signed in', async () => {
    expect(await (await h.caller()).auth.getSession()).toBeNull();
    const ada = await h.signUp('ada@example.com', 'Ada');
    const current = await (await h.caller(ada.headers)).auth.getSession();
    expect(current?.user).toMatchObject({ id: ada.userId, email: 'ada@example.com', name: 'Ada', role: 'user' });
    expect(current?.session.id).toBe(ada.sessionId);
    expect(current?.session.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('listSessions lists every session of the user, newest first, the current one marked', async () => {
    await h.signUp('grace@example.com');
    const laptop = await h.signIn('grace@example.com', 'laptop');
    const phone = await h.signIn('grace@example.com', 'phone');
    const sessions = await (await h.caller(phone.headers)).auth.listSessions();
    expect(sessions).toHaveLength(3);
    expect(sessions[0]).toMatchObject({ id: phone.sessionId, current: true, userAgent: 'phone' });
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.map((s) => s.id)).toContain(laptop.sessionId);
  });

  it('revokeSession ends that session at once and leaves the others', async () => {
    await h.signUp('alan@example.com');
    const first = await h.signIn('alan@example.com');
    const second = await h.signIn('alan@example.com');
    const result = await (await h.caller(first.headers)).auth.revokeSession({ sessionId: second.sessionId });
    expect(result).toEqual({ revoked: true });
    expect(await (await h.caller(second.headers)).auth.getSession()).toBeNull();
    expect(await (await h.caller(first.headers)).auth.getSession()).not.toBeNull();
  });

  it('revokeOtherSessions keeps only the current session and counts the rest', async () => {
    const own = await h.signUp('edsger@example.com');
    await h.signIn('edsger@example.com');
    const current = await h.signIn('edsger@example.com');
    const caller = await h.caller(current.headers);
    expect(await caller.auth.revokeOtherSessions()).toEqual({ revoked: 2 });
    expect((await caller.auth.listSessions()).map((s) => s.id)).toEqual([current.sessionId]);
    expect(await (await h.caller(own.headers)).auth.getSession()).toBeNull();
  });

  it('stores passwords as argon2id at or above OWASP minimum (19 MiB, t=2, p=1)', async () => {
    const user = await h.signUp('barbara@example.com');
    const [row] = await h.db
      .select({ password: account.password })
      .from(account)
      .where(eq(account.userId, user.userId));
    expect(row?.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('looks a session up with one query', async () => {
    const user = await h.signUp('ken@example.com');
    h.queries.length = 0;
    await h.caller(user.headers);
    expect(h.queries).toHaveLength(1);
    expect(h.queries[0]).toMatch(/"session"/);
  });
});

describe('what fails, and how', () => {
  it('revoking an unknown session is NOT_FOUND with appCode SESSION_NOT_FOUND', async () => {
    const user = await h.signUp('dennis@example.com');
    const error = await rejection((await h.caller(user.headers)).auth.revokeSession({ sessionId: 'no-such-session' }));
    expect(error.code).toBe('NOT_FOUND');
    expect((error.cause as AppError).code).toBe('SESSION_NOT_FOUND');
  });

  it('an empty session id is a validation error naming the field', async () => {
    const user = await h.signUp('linus@example.com');
    const error = await rejection((await h.caller(user.headers)).auth.revokeSession({ sessionId: '' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('sessionId');
  });

  it('a forged or expired cookie is treated as signed out', async () => {
    const caller = await h.caller(new Headers({ cookie: 'better-auth.session_token=forged.value' }));
    expect(await caller.auth.getSession()).toBeNull();
    const user = await h.signUp('margaret@example.com');
    await h.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(session.id, user.sessionId));
    expect(await (await h.caller(user.headers)).auth.getSession()).toBeNull();
  });
});

describe('who may not', () => {
  it("another user's session cannot be revoked and reads as not found", async () => {
    const owner = await h.signUp('owner@example.com');
    const intruder = await h.signUp('intruder@example.com');
    const error = await rejection(
      (await h.caller(intruder.headers)).auth.revokeSession({ sessionId: owner.sessionId }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(await (await h.caller(owner.headers)).auth.getSession()).not.toBeNull();
  });
});
