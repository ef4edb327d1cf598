// Log lines of real requests: one line per request with its id, route and user, no secret in any line, errors
// with their request id and cause but without the user's text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeError } from '../src/shared/lib/logger.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

type Line = Record<string, unknown> & { reqId?: string; msg?: string; level: number };

let server: TestServer;
beforeAll(async () => {
  // Production's level: what is tested is what ships.
  server = await startServer({ captureLogs: true, env: { LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await server.close();
});

const parsed = (logs: string[]): Line[] => logs.map((l) => JSON.parse(l) as Line);
const linesOf = (logs: string[], requestId: string | null) => parsed(logs).filter((l) => l.reqId === requestId);

const SECRETS = {
  password: 'pw-2f9c1e8a7b6d',
  bearer: 'bearer-5a1d9e0c3b7f',
  headerKey: 'apikey-8c4b2a9f1e3d',
  queryKey: 'querykey-6e2d7c1b9a04',
  userText: 'my-private-words-0b8e5f',
};

describe('what works', () => {
  it('writes one line per request: method, route pattern, status, duration, request id and user', async () => {
    const client = new Client(server.url);
    const signUp = await client.postJson('/api/auth/sign-up/email', {
      email: 'logs@example.com',
      password: SECRETS.password,
      name: 'Logs',
    });
    expect(signUp.status).toBe(200);
    const { user } = (await signUp.json()) as { user: { id: string } };
    const sessionToken = [...client.cookies.values()][0] as string;
    expect(sessionToken.length).toBeGreaterThan(10);
    const { key } = await client.trpc().auth.apiKeys.create.mutate({ name: 'logged' });

    const calls = [
      // Signed in by cookie, with an Authorization and an x-api-key header beside it.
      client.fetch('/trpc/users.me', {
        headers: { authorization: `Bearer ${SECRETS.bearer}`, 'x-api-key': SECRETS.headerKey },
      }),
      // A batch whose input (in the query string) is the user's text, and a key in the query string.
      client.fetch(
        `/trpc/users.me,auth.getSession?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { json: SECRETS.userText } }))}&apiKey=${SECRETS.queryKey}`,
      ),
      // An API key, over the plain-JSON API.
      fetch(`${server.url}/api/v1/users/me?api_key=${SECRETS.queryKey}`, { headers: { 'x-api-key': key } }),
      // Nothing matches.
      fetch(`${server.url}/no/such/route?token=${SECRETS.queryKey}`),
    ];
    const responses = await Promise.all(calls);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 404]);

    const logs = [...server.logs];
    const lines = responses.map((r) => {
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const own = linesOf(logs, id);
      expect(own).toHaveLength(1);
      return own[0] as Line;
    });
    expect(lines[0]).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/trpc/:path',
      procedures: 'users.me',
      status: 200,
      userId: user.id,
    });
    expect(lines[0]?.ms).toEqual(expect.any(Number));
    expect(lines[1]).toMatchObject({ route: '/trpc/:path', procedures: 'users.me,auth.getSession', userId: user.id });
    expect(lines[2]).toMatchObject({ route: '/api/v1/*', status: 200, userId: user.id });
    expect(lines[3]).toMatchObject({ route: null, status: 404, userId: null });
    for (const line of lines) {
      expect(Object.keys(line)).not.toContain('req');
      expect(Object.keys(line)).not.toContain('url');
    }

    const text = logs.join('');
    for (const secret of [...Object.values(SECRETS), key, sessionToken, decodeURIComponent(sessionToken)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps a secret field out of any line that logs one (the safety net)', () => {
    server.app.log.info({ input: { password: SECRETS.password, apiKey: SECRETS.headerKey } }, 'probe');
    const probe = parsed(server.logs).find((l) => l.msg === 'probe');
    expect(probe?.input).toEqual({ password: '[redacted]', apiKey: '[redacted]' });
  });

  it('reduces an error to its name, message, code, stack and causes: no query parameters, no request body', () => {
    // What Drizzle, postgres.js and the AI SDK put on their errors.
    const driver = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      parameters: [SECRETS.userText],
      query: 'insert into message ...',
    });
    const drizzle = Object.assign(
      new Error(`Failed query: insert into "message" ("text") values ($1)\nparams: ${SECRETS.userText}`, {
        cause: driver,
      }),
      { params: [SECRETS.userText] },
    );
    const provider = Object.assign(new Error('Bad Request'), {
      name: 'AI_APICallError',
      statusCode: 400,
      requestBodyValues: { messages: [{ role: 'user', content: SECRETS.userText }] },
      responseHeaders: { 'set-cookie': SECRETS.bearer },
    });
    const retry = Object.assign(new Error('Failed after 3 attempts'), { lastError: provider });
    const text = JSON.stringify([serializeError(drizzle), serializeError(retry)]);
    expect(text).not.toContain(SECRETS.userText);
    expect(text).not.toContain(SECRETS.bearer);
    expect(serializeError(drizzle)).toMatchObject({
      message: 'Failed query: insert into "message" ("text") values ($1)',
      cause: { message: 'duplicate key value violates unique constraint', code: '23505' },
    });
    expect(serializeError(retry)).toMatchObject({ cause: { type: 'AI_APICallError', statusCode: 400 } });
  });
});

describe('what fails, and how', () => {
  it('logs a failed request with its request id and cause, and still one request line', async () => {
    const failing = await startServer({ captureLogs: true, env: { LOG_LEVEL: 'info' } });
    try {
      const client = new Client(failing.url);
      const signUp = await client.postJson('/api/auth/sign-up/email', {
        email: 'fails@example.com',
        password: SECRETS.password,
        name: 'Fails',
      });
      expect(signUp.status).toBe(200);
      // The database goes away: the session lookup fails inside the request.
      await failing.database.close();
      const response = await client.fetch('/trpc/users.me');
      // PostgreSQL's ended pool is an outage (503); a closed embedded database is a 500. Both are logged as errors.
      const status = failing.database.kind === 'postgres' ? 503 : 500;
      expect(response.status).toBe(status);
      const id = response.headers.get('x-request-id');
      const own = linesOf(failing.logs, id);
      if (status === 503) {
        expect(own.find((l) => l.level === 40)).toMatchObject({ reqId: id, msg: 'the database does not answer' });
      } else {
        const error = own.find((l) => l.level >= 50);
        expect(error).toMatchObject({ reqId: id, err: { message: expect.any(String) } });
        expect(JSON.stringify(error?.err)).toMatch(/stack/);
      }
      expect(own.filter((l) => l.msg === 'request')).toHaveLength(1);
      expect(own.find((l) => l.msg === 'request')).toMatchObject({ status });
      const text = failing.logs.join('');
      for (const cookie of client.cookies.values()) expect(text).not.toContain(cookie);
      expect(text).not.toContain(SECRETS.password);
    } finally {
      await failing.app.close().catch(() => {});
    }
  });
});
