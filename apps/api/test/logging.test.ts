// Log lines of real requests: request ids, and no secret in any line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from './helpers/http.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ captureLogs: true });
});
afterAll(async () => {
  await server.close();
});

const SECRETS = {
  password: 'pw-2f9c1e8a7b6d',
  bearer: 'bearer-5a1d9e0c3b7f',
  apiKey: 'apikey-8c4b2a9f1e3d',
};

describe('what works', () => {
  it('logs requests with ids and redacts authorization, cookie, set-cookie, x-api-key, password and apiKey', async () => {
    const client = new Client(server.url);
    const signUp = await client.postJson('/api/auth/sign-up/email', {
      email: 'logs@example.com',
      password: SECRETS.password,
      name: 'Logs',
    });
    expect(signUp.status).toBe(200);
    const sessionToken = [...client.cookies.values()][0] as string;
    expect(sessionToken.length).toBeGreaterThan(10);

    const response = await client.fetch('/trpc/auth.listSessions', {
      headers: { authorization: `Bearer ${SECRETS.bearer}`, 'x-api-key': SECRETS.apiKey },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    // Fields named password or apiKey are redacted at any depth the server logs them.
    server.app.log.info({ input: { password: SECRETS.password, provider: { apiKey: SECRETS.apiKey } } }, 'probe');

    const lines = server.logs.join('');
    expect(lines).toContain(requestId);
    expect(lines).toContain('[redacted]');
    for (const secret of [...Object.values(SECRETS), sessionToken, decodeURIComponent(sessionToken)]) {
      expect(lines).not.toContain(secret);
    }
    const requestLine = server.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === requestId && l.req);
    expect(requestLine.req.headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
    });
    const probe = server.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'probe');
    expect(probe.input).toEqual({ password: '[redacted]', provider: { apiKey: '[redacted]' } });
  });
});
