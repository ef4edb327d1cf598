// The gateway's failures as an OpenAI client sees them: OpenAI's error body and status, so the official SDK throws
// its typed errors; who may not call; limits; provider failures without the provider's key or words; a client that
// leaves ends the provider call.
import { request } from 'node:http';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

const PROVIDER_KEY = 'sk-fake-gateway-errors-key-7731';

let server: TestServer;
let fake: FakeProvider;
let ada: Client;
let adaKey: string;
let adaKeyId: string;
let bobKey: string;
let openai: OpenAI;

async function account(email: string, providerName: string) {
  const client = new Client(server.url);
  await client.postJson('/api/auth/sign-up/email', { email, password: PASSWORD, name: email });
  const trpc = client.trpc();
  await trpc.providers.create.mutate({
    kind: 'openai-compatible',
    name: providerName,
    baseUrl: fake.baseUrl,
    apiKey: PROVIDER_KEY,
    defaultModel: 'fake-large',
  });
  const created = await trpc.auth.apiKeys.create.mutate({ name: 'gateway' });
  return { client, key: created.key, keyId: created.id };
}

beforeAll(async () => {
  [server, fake] = await Promise.all([
    startServer({ env: { MAX_CONCURRENT_GENERATIONS: '2', PROVIDER_IDLE_TIMEOUT_MS: '1000' } }),
    startFakeProvider(),
  ]);
  const a = await account('ada-gw@example.com', 'Mine');
  const b = await account('bob-gw@example.com', 'Bobs');
  [ada, adaKey, adaKeyId, bobKey] = [a.client, a.key, a.keyId, b.key];
  openai = new OpenAI({ apiKey: adaKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([server.close(), fake.close()]);
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.reply = 'one two three four five six seven eight nine ten';
  fake.delayMs = 0;
});

const ask = (model = 'Mine/fake-large') => ({ model, messages: [{ role: 'user' as const, content: 'Hi' }] });

function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${adaKey}` }) {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function lastBody() {
  return (fake.seen.findLast((r) => r.path === '/v1/chat/completions')?.body ?? {}) as Record<string, unknown>;
}

async function errorOf(response: Response) {
  const body = (await response.json()) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return body.error;
}

describe('who may not', () => {
  it('no key, a wrong key, a session cookie alone: 401 AuthenticationError', async () => {
    const noKey = await post(ask(), {});
    expect(noKey.status).toBe(401);
    expect(await errorOf(noKey)).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    await expect(
      new OpenAI({ apiKey: 'pk_not_a_key', baseURL: `${server.url}/v1`, maxRetries: 0 }).chat.completions.create(ask()),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    // Ada's browser session reaches tRPC, not the gateway: cookies are not read there.
    const cookie = await ada.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ask()),
    });
    expect(cookie.status).toBe(401);
    const models = await fetch(`${server.url}/v1/models`);
    expect(models.status).toBe(401);
  });

  it('a revoked key is refused on the next call', async () => {
    const trpc = ada.trpc();
    const { id, key } = await trpc.auth.apiKeys.create.mutate({ name: 'short-lived' });
    const sdk = new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    await sdk.chat.completions.create(ask());
    await trpc.auth.apiKeys.revoke.mutate({ id });
    await expect(sdk.chat.completions.create(ask())).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(id).not.toBe(adaKeyId);
  });

  it("another user's provider is an unknown model (404), by name or id, and is not listed", async () => {
    const bob = new OpenAI({ apiKey: bobKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await bob.chat.completions.create(ask('Mine/fake-large')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    const [adaProvider] = await ada.trpc().providers.list.query();
    await expect(bob.chat.completions.create(ask(`${adaProvider?.id}/fake-large`))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const listed = (await bob.models.list()).data.map((m) => m.id);
    expect(listed.every((id) => id.startsWith('Bobs/'))).toBe(true);
  });
});

describe('what fails, and how', () => {
  it('an unknown model or provider is 404 model_not_found', async () => {
    for (const model of ['Nope/fake-large', 'fake-large', 'Mine/']) {
      const error = await openai.chat.completions.create(ask(model)).catch((e: unknown) => e);
      expect(error, model).toBeInstanceOf(OpenAI.NotFoundError);
    }
  });

  it('bad input is 400 invalid_request_error naming the parameter', async () => {
    const cases: [unknown, string | null][] = [
      [{ model: 'Mine/fake-large', messages: [] }, 'messages'],
      [{ model: 'Mine/fake-large', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ ...ask(), temperature: 9 }, 'temperature'],
      [{ ...ask(), frobnicate: true }, 'frobnicate'],
      [{ messages: ask().messages }, 'model'],
      ['{"model": ', null],
      [{ ...ask(), messages: [{ role: 'user', content: 'a\u0000b' }] }, null],
      [`{"model":"Mine/fake-large","messages":${'['.repeat(100)}${']'.repeat(100)}}`, null],
    ];
    for (const [body, param] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', param });
    }
  });

  it('an unknown path under /v1 is an OpenAI-shaped 404', async () => {
    const response = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adaKey}` },
    });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).message).toBe('Invalid URL (POST /v1/embeddings)');
  });

  it('options the gateway cannot honour are refused, not ignored: n > 1, audio, logprobs', async () => {
    const seenBefore = fake.seen.length;
    const cases: [object, string][] = [
      [{ n: 2 }, 'n'],
      [{ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
      [{ logprobs: true }, 'logprobs'],
    ];
    for (const [extra, param] of cases) {
      const error = await openai.chat.completions.create({ ...ask(), ...extra } as never).catch((e: unknown) => e);
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ param, code: 'unsupported_parameter' });
    }
    const audioIn = await post({
      model: 'Mine/fake-large',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
    });
    expect(audioIn.status).toBe(400);
    expect((await errorOf(audioIn)).param).toBe('messages[0].content[0]');
    expect(fake.seen.length).toBe(seenBefore); // refusals never reach the provider
  });

  it('a provider failure is 502 (its key or words never shown); a silent provider is 504', async () => {
    for (const mode of ['error', 'unauthorized'] as const) {
      fake.mode = mode;
      const response = await post(ask());
      expect(response.status, mode).toBe(502);
      const error = await errorOf(response);
      expect(error.type).toBe('api_error');
      expect(error.message).not.toContain(PROVIDER_KEY);
      expect(error.message).not.toMatch(/internal failure|Incorrect API key/);
    }
    fake.mode = 'error';
    await expect(openai.chat.completions.create(ask())).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    fake.mode = 'hang';
    const silent = await post({ ...ask(), stream: true });
    expect(silent.status).toBe(504);
    expect((await errorOf(silent)).code).toBe('provider_timeout');
  });

  it('a provider that breaks off mid-stream ends the stream with an error event the SDK throws', async () => {
    fake.mode = 'cut-mid-stream';
    const stream = await openai.chat.completions.create({ ...ask(), stream: true });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).not.toContain(PROVIDER_KEY);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('limits and disconnects', () => {
  it('a spend cap holds for the gateway too: over it is 403 insufficient_quota, under it the call counts', async () => {
    const carol = await account('carol-gw@example.com', 'Carols');
    const sdk = new OpenAI({ apiKey: carol.key, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const trpc = carol.client.trpc();
    await trpc.users.setLimits.mutate({ period: 'day', maxTokens: 100 });
    const refused = await sdk.chat.completions.create(ask('Carols/fake-large')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused).toMatchObject({ status: 403, code: 'insufficient_quota' });
    expect((refused as Error).message).toMatch(/resets at/);

    await trpc.users.setLimits.mutate({ maxTokens: 1_000_000 });
    const before = await trpc.users.limits.query();
    const done = await sdk.chat.completions.create({ ...ask('Carols/fake-large'), max_tokens: 50 });
    const total = done.usage?.total_tokens as number;
    expect(total).toBeGreaterThan(0);
    await expect
      .poll(async () => {
        const now = await trpc.users.limits.query();
        return [now.usedTokens - before.usedTokens, now.reservedTokens];
      })
      .toEqual([total, 0]);
    expect(lastBody().max_tokens).toBe(50);
  });

  it('more generations at once than MAX_CONCURRENT_GENERATIONS: 429 with Retry-After, slots given back', async () => {
    fake.delayMs = 40;
    const streams = await Promise.all([1, 2].map(() => post({ ...ask(), stream: true })));
    expect(streams.map((r) => r.status)).toEqual([200, 200]);
    const third = await post(ask());
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorOf(third)).toMatchObject({ type: 'rate_limit_error', code: 'too_many_generations' });
    await Promise.all(streams.map((r) => r.text()));
    fake.delayMs = 0;
    await expect.poll(async () => (await post(ask())).status, { timeout: 5_000 }).toBe(200);
  });

  it('a client that disconnects mid-stream ends the provider call', async () => {
    fake.delayMs = 50;
    const abandonedBefore = fake.abandoned;
    const response = await post({ ...ask(), stream: true });
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    await expect.poll(() => fake.abandoned, { timeout: 5_000 }).toBe(abandonedBefore + 1);
    // Its slot is given back: two streams at once still fit.
    fake.delayMs = 0;
    const again = await Promise.all([post(ask()), post(ask())]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
  });

  it('a non-streaming client that leaves ends the provider call too, and its slot comes back', async () => {
    // Ten words 300 ms apart: the provider's answer takes 3 s; the abandoned streams show the calls were cut.
    fake.delayMs = 300;
    const seen = fake.seen.length;
    const abandoned = fake.abandoned;
    const clients = [1, 2].map(() => {
      const body = JSON.stringify(ask());
      const call = request(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${adaKey}`,
          'content-length': body.length,
        },
      });
      call.on('error', () => {});
      call.end(body);
      return call;
    });
    await expect.poll(() => fake.seen.length, { timeout: 5_000 }).toBe(seen + 2);
    expect((await post(ask())).status).toBe(429);
    for (const call of clients) call.destroy();
    await expect.poll(() => fake.abandoned, { timeout: 1_500 }).toBe(abandoned + 2);
    fake.delayMs = 0;
    expect((await Promise.all([post(ask()), post(ask())])).map((r) => r.status)).toEqual([200, 200]);
  });

  it('a non-streaming call to a silent provider is 504 after PROVIDER_IDLE_TIMEOUT_MS', async () => {
    fake.mode = 'hang';
    const response = await post(ask());
    expect(response.status).toBe(504);
    expect((await errorOf(response)).code).toBe('provider_timeout');
  });

  it('a JSON schema the provider kind would drop is refused before anything is generated', async () => {
    const format = { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } };
    for (const stream of [false, true]) {
      const response = await post({ ...ask(), stream, response_format: format });
      expect(response.status, `stream: ${stream}`).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: 'unsupported_parameter' });
    }
  });
});

describe('the API key rate limit', () => {
  it('past API_KEY_RATE_LIMIT_PER_MINUTE: 429 RateLimitError with Retry-After, in OpenAI shape', async () => {
    const limited = await startServer({ env: { API_KEY_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const client = new Client(limited.url);
      await client.postJson('/api/auth/sign-up/email', { email: 'rl-gw@example.com', password: PASSWORD, name: 'R' });
      const { key } = await client.trpc().auth.apiKeys.create.mutate({ name: 'limited' });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${limited.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await errorOf(last as Response)).type).toBe('rate_limit_error');
    } finally {
      await limited.close();
    }
  });
});
