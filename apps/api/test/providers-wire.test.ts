// providers.test and providers.models over real HTTP, through the real AI SDK providers, against a local fake
// OpenAI-compatible server: the right bearer key on the wire, clear key-free reasons, and the key in no response
// body and no log line.

import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/router.ts';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

const API_KEY = 'sk-wire-test-9d8c7b6a5f4e3d2c1b0a';

let server: TestServer;
let fake: FakeProvider;
let client: Client;
beforeAll(async () => {
  [server, fake] = await Promise.all([
    startServer({ captureLogs: true, env: { PROVIDER_TIMEOUT_MS: '500' } }),
    startFakeProvider(),
  ]);
  client = new Client(server.url);
  const signedUp = await client.postJson('/api/auth/sign-up/email', {
    email: 'wire@example.com',
    password: PASSWORD,
    name: 'Wire',
  });
  expect(signedUp.status).toBe(200);
});
afterAll(async () => {
  await Promise.all([server.close(), fake.close()]);
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.seen.length = 0;
});

let counter = 0;
async function createFakeProvider(extra: { defaultModel?: string } = {}) {
  return client.trpc().providers.create.mutate({
    kind: 'openai-compatible',
    name: `Fake ${++counter}`,
    baseUrl: fake.baseUrl,
    apiKey: API_KEY,
    ...extra,
  });
}

describe('what works', () => {
  it('test and models reach the provider with the right bearer key and list its models', async () => {
    const created = await createFakeProvider();
    const report = await client.trpc().providers.test.mutate({ id: created.id });
    expect(report).toMatchObject({ ok: true, error: null, models: ['fake-large', 'fake-small'] });
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await client.trpc().providers.models.query({ id: created.id })).toEqual({
      models: ['fake-large', 'fake-small'],
    });
    expect(fake.seen.map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', '/v1/models', `Bearer ${API_KEY}`],
      ['GET', '/v1/models', `Bearer ${API_KEY}`],
    ]);
  });

  it('without a model list, test generates one token through the AI SDK provider', async () => {
    const created = await createFakeProvider({ defaultModel: 'fake-large' });
    fake.mode = 'no-model-list';
    const report = await client.trpc().providers.test.mutate({ id: created.id });
    expect(report).toMatchObject({ ok: true, error: null, models: [] });
    const generation = fake.seen.find((r) => r.path === '/v1/chat/completions');
    expect(generation?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(generation?.body).toMatchObject({ model: 'fake-large', max_tokens: 1 });
  });
});

describe('what fails, and how', () => {
  it.each([
    ['unauthorized', 'the provider rejected the API key'],
    ['error', 'the provider failed (HTTP 500)'],
    ['hang', 'the provider did not answer within 500 ms'],
  ] as const)('a provider that answers %s reads as "%s"', async (mode, reason) => {
    const created = await createFakeProvider();
    fake.mode = mode;
    const report = await client.trpc().providers.test.mutate({ id: created.id });
    expect(report).toMatchObject({ ok: false, models: [], error: reason });
    const error = await client
      .trpc()
      .providers.models.query({ id: created.id })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.appCode).toBe('PROVIDER_UNREACHABLE');
    expect((error as Error).message).toBe(reason);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('a redirect to another origin (here a metadata address) is refused before it is followed', async () => {
    const created = await createFakeProvider();
    fake.mode = 'redirect-to-metadata';
    const report = await client.trpc().providers.test.mutate({ id: created.id });
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(/not allowed: .*redirected to another origin \(http:\/\/169\.254\.169\.254\)/);
  });

  it('a provider whose server is gone reads as a connection failure naming the host', async () => {
    const gone = await startFakeProvider();
    const created = await client
      .trpc()
      .providers.create.mutate({ kind: 'openai-compatible', name: 'Gone', baseUrl: gone.baseUrl, apiKey: API_KEY });
    await gone.close();
    const report = await client.trpc().providers.test.mutate({ id: created.id });
    expect(report.error).toBe(`could not connect to the provider at ${new URL(gone.baseUrl).host}`);
  });

  it('a refused base URL is a validation error over HTTP, with field detail', async () => {
    const error = await client
      .trpc()
      .providers.create.mutate({
        kind: 'openai',
        name: 'Metadata',
        apiKey: API_KEY,
        baseUrl: 'http://169.254.169.254/',
      })
      .catch((e: unknown) => e);
    const data = (error as TRPCClientError<AppRouter>).data;
    expect(data?.code).toBe('BAD_REQUEST');
    expect(data?.appCode).toBe('VALIDATION_FAILED');
    expect(data?.zodError?.fieldErrors.baseUrl?.[0]).toMatch(/metadata/);
  });
});

describe('the key never leaves', () => {
  it('appears in no response body and no log line across create → test → update → delete', async () => {
    const trpc = client.trpc();
    const created = await createFakeProvider();
    await trpc.providers.test.mutate({ id: created.id });
    await trpc.providers.models.query({ id: created.id });
    await trpc.providers.list.query();
    const updated = await trpc.providers.update.mutate({ id: created.id, apiKey: `${API_KEY}-v2` });
    expect(updated.apiKeyHint).toBe('sk-…a-v2');
    fake.mode = 'unauthorized';
    await trpc.providers.test.mutate({ id: created.id });
    await trpc.providers.delete.mutate({ id: created.id });

    const bodies = await Promise.all(client.bodies);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(API_KEY.slice(3, -4));
    const logs = server.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(API_KEY.slice(3, -4));
    expect(fake.seen.some((r) => r.authorization === `Bearer ${API_KEY}-v2`)).toBe(true);
  });
});
