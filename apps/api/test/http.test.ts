// Over real HTTP: Better Auth's own endpoints and the real @trpc/client with superjson, on an ephemeral port.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/router.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

function signUp(client: Client, email: string) {
  return client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: 'HTTP User' });
}

async function trpcError(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as TRPCClientError<AppRouter>;
}

describe('what works', () => {
  it('serves /health and /ready', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('sign-up → sign-in → cookie session → listSessions → revoke → sign-out', async () => {
    const laptop = new Client(server.url, 'laptop');
    const signedUp = await signUp(laptop, 'http-flow@example.com');
    expect(signedUp.status).toBe(200);
    expect(laptop.cookies.size).toBeGreaterThan(0);

    const phone = new Client(server.url, 'phone');
    const signedIn = await phone.postJson('/api/auth/sign-in/email', {
      email: 'http-flow@example.com',
      password: PASSWORD,
    });
    expect(signedIn.status).toBe(200);

    const phoneSession = await phone.trpc().auth.getSession.query();
    expect(phoneSession?.user.email).toBe('http-flow@example.com');
    expect(phoneSession?.session.expiresAt).toBeInstanceOf(Date); // superjson carried the Date

    // Better Auth's own session endpoint agrees with the tRPC procedure.
    const own = (await (await phone.fetch('/api/auth/get-session')).json()) as { session: { id: string } };
    expect(own.session.id).toBe(phoneSession?.session.id);

    const sessions = await laptop.trpc().auth.listSessions.query();
    expect(sessions.map((s) => s.userAgent).sort()).toEqual(['laptop', 'phone']);
    expect(sessions.find((s) => s.current)?.userAgent).toBe('laptop');
    expect(sessions.every((s) => s.ipAddress === '127.0.0.1')).toBe(true);

    const phoneId = sessions.find((s) => s.userAgent === 'phone')?.id as string;
    expect(await laptop.trpc().auth.revokeSession.mutate({ sessionId: phoneId })).toEqual({ revoked: true });
    expect(await phone.trpc().auth.getSession.query()).toBeNull();

    const signedOut = await laptop.postJson('/api/auth/sign-out', {});
    expect(signedOut.status).toBe(200);
    expect(await laptop.trpc().auth.getSession.query()).toBeNull();
  });

  it('answers a batch of calls in one request', async () => {
    const client = new Client(server.url);
    await signUp(client, 'batch@example.com');
    const trpc = client.trpc();
    const [session, sessions] = await Promise.all([trpc.auth.getSession.query(), trpc.auth.listSessions.query()]);
    expect(session?.user.email).toBe('batch@example.com');
    expect(sessions).toHaveLength(1);
  });
});

describe('what fails, and how', () => {
  it('an unauthenticated protected call is UNAUTHORIZED with an appCode', async () => {
    const error = await trpcError(new Client(server.url).trpc().auth.listSessions.query());
    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(error.data?.httpStatus).toBe(401);
    expect(error.data?.appCode).toBe('UNAUTHORIZED');
  });

  it('bad input is BAD_REQUEST with field-level zodError', async () => {
    const client = new Client(server.url);
    await signUp(client, 'bad-input@example.com');
    const error = await trpcError(client.trpc().auth.revokeSession.mutate({ sessionId: '' }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.appCode).toBe('VALIDATION_FAILED');
    expect(error.data?.zodError?.fieldErrors.sessionId?.[0]).toMatch(/at least|>=1/);
  });

  it('malformed JSON, an unknown procedure and an oversized body get clear 4xx answers', async () => {
    const client = new Client(server.url);
    await signUp(client, 'malformed@example.com');
    const malformed = await client.fetch('/trpc/auth.revokeSession', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"json": {"sessionId":',
    });
    expect(malformed.status).toBe(400);
    const malformedBody = (await malformed.json()) as { error: { json: { data: { code: string; appCode: string } } } };
    expect(malformedBody.error.json.data).toMatchObject({ code: 'BAD_REQUEST', appCode: 'BAD_REQUEST' });

    const unknown = await client.fetch('/trpc/auth.noSuchProcedure');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { json: { message: string } } }).error.json.message).toContain(
      'noSuchProcedure',
    );

    const oversized = await client.fetch('/trpc/auth.revokeSession', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { sessionId: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(oversized.status).toBe(413);

    const authMalformed = await client.fetch('/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    expect(authMalformed.status).toBe(400);

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('a batch of queries with mixed outcomes answers 207 with each result or error in tRPC form', async () => {
    const response = await fetch(
      `${server.url}/trpc/providers.kinds,auth.listSessions,auth.getSession?batch=1&input=%7B%7D`,
    );
    expect(response.status).toBe(207);
    const body = (await response.json()) as [
      { result: { data: { json: { kind: string }[] } } },
      { error: { json: { data: { code: string; appCode: string; httpStatus: number } } } },
      { result: { data: { json: null } } },
    ];
    expect(body[0].result.data.json.map((k) => k.kind)).toContain('openai');
    expect(body[1].error.json.data).toMatchObject({ code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED', httpStatus: 401 });
    expect(body[2].result.data.json).toBeNull();
  });

  it('a batch larger than the bound is refused', async () => {
    const calls = Array.from({ length: 21 }, () => 'auth.getSession').join(',');
    const response = await fetch(`${server.url}/trpc/${calls}?batch=1&input=%7B%7D`);
    expect(response.status).toBe(400);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('a cookie-bearing POST from an untrusted origin is refused', async () => {
    const client = new Client(server.url);
    await signUp(client, 'csrf@example.com');
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const forged = await fetch(`${server.url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).toBe(403);
    expect(await client.trpc().auth.getSession.query()).not.toBeNull();
  });

  it('a cookie-authenticated tRPC write without a trusted Origin is FORBIDDEN; reads and the same write from the app work', async () => {
    const client = new Client(server.url);
    await signUp(client, 'origin@example.com');
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const write = (origin?: string) =>
      fetch(`${server.url}/trpc/auth.revokeOtherSessions`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: '{}',
      });
    for (const origin of ['http://evil.example', undefined]) {
      const response = await write(origin);
      expect(response.status).toBe(403);
      const body = (await response.json()) as { error: { json: { data: { appCode: string } } } };
      expect(body.error.json.data.appCode).toBe('FORBIDDEN');
    }
    expect((await write(server.url)).status).toBe(200);
    const read = await fetch(`${server.url}/trpc/auth.getSession`, { headers: { cookie } });
    expect(read.status).toBe(200);
  });

  it('a cookie GET that a browser says came from another site is FORBIDDEN (subscriptions such as sendAndStream are GETs)', async () => {
    const client = new Client(server.url);
    await signUp(client, 'cross-site-get@example.com');
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const get = (headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/users.me`, { headers: { cookie, ...headers } });
    for (const site of ['cross-site', 'same-site']) {
      const refused = await get({ 'sec-fetch-site': site });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(await refused.json())).toContain('FORBIDDEN');
    }
    // The app's own requests, a trusted origin's CORS request, and clients that are not browsers.
    expect((await get({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await get({ 'sec-fetch-site': 'cross-site', origin: server.url })).status).toBe(200);
    expect((await get({})).status).toBe(200);
  });

  it('a wrong password is refused by Better Auth and creates no session', async () => {
    const client = new Client(server.url);
    await signUp(client, 'wrong-password@example.com');
    const other = new Client(server.url);
    const response = await other.postJson('/api/auth/sign-in/email', {
      email: 'wrong-password@example.com',
      password: 'not the password',
    });
    expect(response.status).toBe(401);
    expect(other.cookies.size).toBe(0);
  });
});
