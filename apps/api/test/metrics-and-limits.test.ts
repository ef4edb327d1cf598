// GET /metrics (Prometheus text, guarded by METRICS_TOKEN, off in production without one) and the API rate limits
// (@fastify/rate-limit: per API key, per session, per address when signed out; 429 with Retry-After).
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

describe('metrics', () => {
  let server: TestServer;
  let fake: FakeProvider;
  beforeAll(async () => {
    [server, fake] = await Promise.all([
      startServer({ env: { METRICS_TOKEN: 'metrics-token-for-tests-0001' } }),
      startFakeProvider(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server.close(), fake.close()]);
  });

  it('needs the token, then reports requests by route pattern, replies, time to first token and the pool', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const client = new Client(server.url);
    await client.postJson('/api/auth/sign-up/email', { email: 'metrics@example.com', password: PASSWORD, name: 'M' });
    const trpc = client.trpc();
    const provider = await trpc.providers.create.mutate({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-fake-metrics-0001',
      defaultModel: 'fake-large',
    });
    const chat = await trpc.chat.create.mutate({ providerId: provider.id });
    const { assistantMessage } = await trpc.chat.send.mutate({ chatId: chat.id, text: 'count me' });
    await new Promise<void>((resolve, reject) => {
      const sub = trpc.chat.stream.subscribe(
        { messageId: assistantMessage.id },
        {
          onData(event) {
            if (event.data.type !== 'text-delta') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-for-tests-0001' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/parley_http_requests_total\{method="POST",route="\/trpc\/:path",status="200"\} \d+/);
    expect(text).toMatch(/parley_replies_total\{outcome="complete"\} 1/);
    expect(text).toMatch(/parley_reply_first_token_seconds_count 1/);
    expect(text).toMatch(/parley_live_replies 0/);
    expect(text).toMatch(/parley_db_pool_max_connections \d+/);
    // Route patterns only: no chat or message id becomes a series.
    expect(text).not.toContain(chat.id);
  });

  it('is off in production without a token', async () => {
    const production = await startServer({
      env: { NODE_ENV: 'production', PROVIDER_URL_ALLOWLIST: '127.0.0.1' },
    });
    try {
      expect((await fetch(`${production.url}/metrics`)).status).toBe(404);
    } finally {
      await production.close();
    }
  });
});

describe('API rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { IP_RATE_LIMIT_PER_MINUTE: '3', USER_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('a signed-out address gets 429 with Retry-After and the rate-limit headers past its limit', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(`${server.url}/trpc/auth.getSession`);
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses[3]).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.headers.get('x-ratelimit-limit')).toBe('3');
    // Health and readiness are never limited.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('a signed-in user counts on their own (all their sessions together), beyond the address limit', async () => {
    const laptop = new Client(server.url, 'laptop');
    // Sign-up and sign-in are Better Auth's routes: its own limits, not these.
    await laptop.postJson('/api/auth/sign-up/email', { email: 'limits@example.com', password: PASSWORD, name: 'L' });
    const phone = new Client(server.url, 'phone');
    await phone.postJson('/api/auth/sign-in/email', { email: 'limits@example.com', password: PASSWORD });
    for (let i = 0; i < 3; i++) await laptop.trpc(false).chat.list.query({});
    for (let i = 0; i < 2; i++) await phone.trpc(false).chat.list.query({});
    await expect(phone.trpc(false).chat.list.query({})).rejects.toThrow();
    const refused = await laptop.fetch('/trpc/chat.list?input=%7B%22json%22%3A%7B%7D%7D');
    expect(refused.status).toBe(429);
    // Another user is not held back by this one.
    const other = new Client(server.url, 'other');
    await other.postJson('/api/auth/sign-up/email', {
      email: 'other-limits@example.com',
      password: PASSWORD,
      name: 'O',
    });
    expect((await other.trpc(false).chat.list.query({})).items).toEqual([]);
  });
});
