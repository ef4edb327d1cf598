// The server under strain: auth rate limits, and a database that stops answering.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/router.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' } });
});
afterAll(async () => {
  await server.close();
});

describe('what fails, and how', () => {
  it('rate-limits sign-in attempts from one address', async () => {
    const client = new Client(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await client.postJson('/api/auth/sign-in/email', {
        email: 'nobody@example.com',
        password: PASSWORD,
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 3).every((s) => s === 401)).toBe(true);
    expect(statuses[3]).toBe(429);
  });

  it('when the database is gone: /ready is 503 with a reason, procedures answer 503 (PostgreSQL) or a generic 500 (closed PGlite) with a request id', async () => {
    const client = new Client(server.url);
    const signedUp = await client.postJson('/api/auth/sign-up/email', {
      email: 'db-down@example.com',
      password: PASSWORD,
      name: 'Down',
    });
    expect(signedUp.status).toBe(200);

    await server.database.close();

    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('database') });

    const error = await client
      .trpc(false)
      .auth.getSession.query()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data;
    // PostgreSQL's client says its connections ended: an outage, 503 (errors.ts). A closed embedded database is not
    // an outage the server can wait out: a generic 500.
    const outage = server.database.kind === 'postgres';
    expect(data?.code).toBe(outage ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR');
    expect(data?.appCode).toBe(outage ? 'SERVICE_UNAVAILABLE' : 'INTERNAL');
    expect(data?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const message = (error as Error).message;
    if (!outage) expect(message).toBe(`Internal server error (request ${data?.requestId})`);
    expect(message).not.toMatch(/select|sql|postgres|pglite|closed/i);

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
