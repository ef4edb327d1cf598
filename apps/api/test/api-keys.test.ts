// API keys over real HTTP with @trpc/client: create, call with x-api-key only, revoke, expiry, account deletion.
import { TRPCClientError } from '@trpc/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/router.ts';
import { apikey } from '../src/shared/db/schema/index.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** A client that sends only the API key: no cookie, no browser origin. */
function withKey(key: string) {
  const client = new Client(server.url);
  const fetchWithKey = client.fetch;
  client.fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-api-key', key);
    return fetchWithKey(input, { ...init, headers });
  };
  return client;
}

async function signedUp(email: string) {
  const client = new Client(server.url);
  const response = await client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'Keys' });
  expect(response.status).toBe(200);
  return client;
}

async function code(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return (error as TRPCClientError<AppRouter>).data?.code;
}

describe('what works', () => {
  it('create shows the key once; list shows its start only; the key authenticates every procedure', async () => {
    const browser = await signedUp('keys@example.com');
    const created = await browser.trpc().auth.apiKeys.create.mutate({ name: 'deploy script', expiresInDays: 30 });
    expect(created.key).toMatch(/^parley_[A-Za-z]{64}$/);
    expect(created.start).toBe(created.key.slice(0, 11));
    expect(created.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const listed = await browser.trpc().auth.apiKeys.list.query();
    expect(listed).toEqual([expect.objectContaining({ id: created.id, name: 'deploy script', start: created.start })]);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const [row] = await server.database.db.select().from(apikey).where(eq(apikey.id, created.id));
    expect(row?.key).not.toBe(created.key); // stored hashed

    const script = withKey(created.key).trpc();
    const me = await script.users.me.query();
    expect(me.email).toBe('keys@example.com');
    const provider = await script.providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Via key',
      baseUrl: 'http://localhost:11434/v1',
    });
    expect((await browser.trpc().providers.list.query()).map((p) => p.id)).toEqual([provider.id]);
    expect((await browser.trpc().auth.apiKeys.list.query())[0]?.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe('what fails, and how', () => {
  it('a revoked key is UNAUTHORIZED at once', async () => {
    const browser = await signedUp('revoke@example.com');
    const { id, key } = await browser.trpc().auth.apiKeys.create.mutate({ name: 'short-lived' });
    const script = withKey(key).trpc();
    expect((await script.users.me.query()).email).toBe('revoke@example.com');
    expect(await browser.trpc().auth.apiKeys.revoke.mutate({ id })).toEqual({ revoked: true });
    expect(await code(script.users.me.query())).toBe('UNAUTHORIZED');
    expect(await code(browser.trpc().auth.apiKeys.revoke.mutate({ id }))).toBe('NOT_FOUND');
  });

  it('an expired key and a made-up key are UNAUTHORIZED', async () => {
    const browser = await signedUp('expired@example.com');
    const { id, key } = await browser.trpc().auth.apiKeys.create.mutate({ name: 'old', expiresInDays: 1 });
    await server.database.db
      .update(apikey)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apikey.id, id));
    expect(await code(withKey(key).trpc().users.me.query())).toBe('UNAUTHORIZED');
    expect(
      await code(
        withKey(`parley_${'x'.repeat(64)}`)
          .trpc()
          .users.me.query(),
      ),
    ).toBe('UNAUTHORIZED');
    expect(await code(withKey('short').trpc().users.me.query())).toBe('UNAUTHORIZED');
  });

  it('after account deletion the old cookie and the old key are refused', async () => {
    const browser = await signedUp('gone@example.com');
    const { key } = await browser.trpc().auth.apiKeys.create.mutate({ name: 'k' });
    const script = withKey(key).trpc();
    expect((await script.users.me.query()).email).toBe('gone@example.com');
    expect(await browser.trpc().users.deleteAccount.mutate({ confirmEmail: 'gone@example.com' })).toEqual({
      deleted: true,
    });
    expect(await code(browser.trpc().users.me.query())).toBe('UNAUTHORIZED');
    expect(await code(script.users.me.query())).toBe('UNAUTHORIZED');
  });
});
