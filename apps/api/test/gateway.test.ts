// The OpenAI-compatible gateway as an OpenAI client sees it: the official `openai` SDK and plain fetch against a real
// server and database, the provider faked only at its wire (an OpenAI-compatible server) behind an
// `openai-compatible` provider. What works: models, completions, streaming with usage, tool calls, options.
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { sql } from 'drizzle-orm';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';
import { rowsOf } from './helpers/seed.ts';

const REPLY = 'The gateway speaks OpenAI to every provider we support.';
const PROVIDER_KEY = 'sk-fake-gateway-provider-key-0042';

let server: TestServer;
let fake: FakeProvider;
let client: Client;
let apiKey: string;
let apiKeyId: string;
let providerId: string;
let userId: string;
let openai: OpenAI;

beforeAll(async () => {
  [server, fake] = await Promise.all([startServer(), startFakeProvider()]);
  client = new Client(server.url);
  const signUp = await client.postJson('/api/auth/sign-up/email', {
    email: 'gateway@example.com',
    password: PASSWORD,
    name: 'G',
  });
  userId = ((await signUp.json()) as { user: { id: string } }).user.id;
  const trpc = client.trpc();
  const provider = await trpc.providers.create.mutate({
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl: fake.baseUrl,
    apiKey: PROVIDER_KEY,
    defaultModel: 'fake-large',
  });
  providerId = provider.id;
  const created = await trpc.auth.apiKeys.create.mutate({ name: 'gateway' });
  apiKey = created.key;
  apiKeyId = created.id;
  openai = new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([server.close(), fake.close()]);
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.reply = REPLY;
  fake.delayMs = 0;
  fake.toolCalls = null;
});

/** The body of the last chat completion the provider received. */
function lastProviderRequest() {
  const seen = fake.seen.findLast((r) => r.path === '/v1/chat/completions');
  if (!seen) throw new Error('the provider received no chat completion');
  return seen as typeof seen & { body: Record<string, unknown> };
}

describe('models', () => {
  it('lists every model of every provider as <provider>/<model>, in OpenAI list shape', async () => {
    const page = await openai.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['Fake/fake-large', 'Fake/fake-small']));
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'Fake' });
    expect(typeof page.data[0]?.created).toBe('number');
  });

  it('retrieves one model by its id (slash included); an unknown one is a NotFoundError', async () => {
    expect(await openai.models.retrieve('Fake/fake-small')).toMatchObject({ id: 'Fake/fake-small', object: 'model' });
    await expect(openai.models.retrieve('Fake/nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('chat completions', () => {
  it('answers a non-streaming call in OpenAI shape, with the provider called by its own key', async () => {
    const completion = await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello?' },
      ],
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'Fake/fake-large',
      choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    const words = REPLY.split(' ').length;
    expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: words, total_tokens: 5 + words });
    const seen = lastProviderRequest();
    expect(seen.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(seen.body).toMatchObject({
      model: 'fake-large',
      // Streamed from the provider, with its usage asked for (servers like OpenAI's report it only then).
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello?' },
      ],
    });
    expect(JSON.stringify(seen)).not.toContain(apiKey);
  });

  it('streams chunks that assemble into the reply, then the usage chunk, then [DONE]', async () => {
    const stream = await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [{ role: 'user', content: 'Stream it' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage?.prompt_tokens).toBe(5);
    expect(usage?.usage?.total_tokens).toBe(5 + REPLY.split(' ').length);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'Fake/fake-large')).toBe(true);
  });

  it('over plain fetch: an event stream of data lines ending in data: [DONE], no usage unless asked', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Fake/fake-small', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = text
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(REPLY);
    expect(lastProviderRequest().body.model).toBe('fake-small');
  });

  it('names the provider by id too, and a provider alone means its default model', async () => {
    const byId = await openai.chat.completions.create({
      model: `${providerId}/fake-small`,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(byId.model).toBe(`${providerId}/fake-small`);
    expect(lastProviderRequest().body.model).toBe('fake-small');
    await openai.chat.completions.create({ model: 'Fake', messages: [{ role: 'user', content: 'x' }] });
    expect(lastProviderRequest().body.model).toBe('fake-large');
  });

  it('passes the sampling options, stop sequences, seed and JSON mode to the provider', async () => {
    await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [
        { role: 'developer', content: 'Answer in JSON.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_completion_tokens: 77,
      stop: ['END'],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      response_format: { type: 'json_object' },
    });
    const body = lastProviderRequest().body;
    expect(body).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 77,
      stop: ['END'],
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      response_format: { type: 'json_object' },
    });
    const messages = body.messages as { role: string; content: unknown }[];
    expect(messages[0]).toEqual({ role: 'system', content: 'Answer in JSON.' });
    expect(JSON.stringify(messages[1]?.content)).toContain('data:image/png;base64,iVBORw0KGgo=');
  });
});

describe('tool calls', () => {
  const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters } },
  ];

  it('a non-streaming call returns the model tool calls, and their results go back to the provider', async () => {
    fake.toolCalls = [{ name: 'get_weather', arguments: '{"city":"Paris"}' }];
    const first = await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'required',
    });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(lastProviderRequest().body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters } }],
      tool_choice: 'required',
    });

    fake.toolCalls = null;
    const second = await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        choice?.message as OpenAI.Chat.Completions.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: call?.id as string, content: '18 °C and sunny' },
      ],
      tools,
    });
    expect(second.choices[0]?.message.content).toBe(REPLY);
    const messages = lastProviderRequest().body.messages as Record<string, unknown>[];
    expect(messages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: call?.id, type: 'function', function: { name: 'get_weather' } }],
    });
    expect(
      JSON.parse(
        (messages[1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]?.function.arguments ?? '',
      ),
    ).toEqual({ city: 'Paris' });
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: call?.id, content: '18 °C and sunny' });
  });

  it('a streaming call streams the tool calls with their index, id, name and arguments', async () => {
    fake.toolCalls = [
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ];
    const stream = await openai.chat.completions.create({
      model: 'Fake/fake-large',
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const delta of choice?.delta.tool_calls ?? []) {
        calls[delta.index] ??= { arguments: '' };
        const call = calls[delta.index] as { id?: string; name?: string; arguments: string };
        call.id ??= delta.id;
        call.name ??= delta.function?.name;
        call.arguments += delta.function?.arguments ?? '';
      }
    }
    expect(finish).toBe('tool_calls');
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Oslo' }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(lastProviderRequest().body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });
});

describe('usage and storage', () => {
  it('records usage per user, API key, provider and model, in users.usage too, and stores no messages', async () => {
    // A model id of this test's own (the fake answers any): other tests' usage, written after their answers, lands
    // on other rows.
    const model = 'usage-probe';
    const chatsBefore = await client.trpc().chat.list.query({});
    await openai.chat.completions.create({ model: `Fake/${model}`, messages: [{ role: 'user', content: 'count me' }] });
    await openai.chat.completions.create({ model: `Fake/${model}`, messages: [{ role: 'user', content: 'and me' }] });
    const words = REPLY.split(' ').length;
    const perKey = () =>
      rowsOf<{ requests: number; input_tokens: number; output_tokens: number }>(
        server.database.db,
        sql`select requests, input_tokens::int, output_tokens::int from gateway_usage
            where user_id = ${userId} and api_key_id = ${apiKeyId} and provider_id = ${providerId} and model = ${model}`,
      );
    await expect.poll(async () => (await perKey())[0]?.requests, { timeout: 5_000 }).toBe(2);
    expect(await perKey()).toEqual([{ requests: 2, input_tokens: 10, output_tokens: 2 * words }]);
    const usage = await client.trpc().users.usage.query({});
    expect(usage.byModel.find((row) => row.model === model)).toMatchObject({
      providerId,
      inputTokens: 10,
      outputTokens: 2 * words,
      messages: 2,
    });
    const chatsAfter = await client.trpc().chat.list.query({});
    expect(chatsAfter.items.length).toBe(chatsBefore.items.length);
    const [messages] = await rowsOf<{ n: number }>(
      server.database.db,
      sql`select count(*)::int as n from message where user_id = ${userId} and text in ('count me', 'and me')`,
    );
    expect(messages?.n).toBe(0);
  });

  it('x-parley-chat-id stores the exchange as a reply of that chat (counted once), streaming or not', async () => {
    const trpc = client.trpc();
    const chat = await trpc.chat.create.mutate({ title: 'Through the gateway', providerId });
    const headers = { 'x-parley-chat-id': chat.id };
    const completion = await openai.chat.completions.create(
      { model: 'Fake/stored-probe', messages: [{ role: 'user', content: 'Store this one' }] },
      { headers },
    );
    expect(completion.choices[0]?.message.content).toBe(REPLY);
    const stream = await openai.chat.completions.create(
      {
        model: 'Fake/stored-probe',
        messages: [{ role: 'user', content: 'And this one, streamed' }],
        stream: true,
        stream_options: { include_usage: true },
      },
      { headers },
    );
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(REPLY);
    expect(usage?.completion_tokens).toBe(REPLY.split(' ').length);

    const history = await trpc.chat.history.query({ chatId: chat.id });
    expect(history.items.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'Store this one', 'complete'],
      ['assistant', REPLY, 'complete'],
      ['user', 'And this one, streamed', 'complete'],
      ['assistant', REPLY, 'complete'],
    ]);
    expect(history.items[1]).toMatchObject({ providerId, model: 'stored-probe' });
    // The model saw the chat's history: the first exchange went to the provider with the second question.
    const sent = lastProviderRequest().body.messages as { role: string }[];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    // Counted once: by the stored replies' rows (users.usage), and per key by the gateway (not twice in users.usage).
    const byModel = async () => (await trpc.users.usage.query({})).byModel.find((r) => r.model === 'stored-probe');
    await expect.poll(async () => (await byModel())?.messages).toBe(2);
    expect((await byModel())?.outputTokens).toBe(2 * REPLY.split(' ').length);
    const perKey = () =>
      rowsOf<{ requests: number }>(
        server.database.db,
        sql`select requests from gateway_usage where api_key_id = ${apiKeyId} and model = 'stored-probe'`,
      );
    await expect.poll(async () => (await perKey())[0]?.requests).toBe(2);
  });

  it('storing refuses what a chat reply cannot honour, and a chat that is not yours', async () => {
    const chat = await client.trpc().chat.create.mutate({ title: 'Refusals', providerId });
    const ask = { model: 'Fake/fake-large', messages: [{ role: 'user' as const, content: 'x' }] };
    const refused = await openai.chat.completions
      .create({ ...ask, temperature: 0.2 }, { headers: { 'x-parley-chat-id': chat.id } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ param: 'temperature', code: 'unsupported_parameter' });
    const noChat = await openai.chat.completions.create({ ...ask, store: true }).catch((e: unknown) => e);
    expect(noChat).toMatchObject({ status: 400, param: 'store' });
    const missing = await openai.chat.completions
      .create(ask, { headers: { 'x-parley-chat-id': 'not-a-chat-of-yours' } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('another provider kind behind the same gateway', () => {
  it("anthropic: the same OpenAI call reaches Anthropic's Messages API and answers in OpenAI's shape", async () => {
    await client.trpc().providers.create.mutate({
      kind: 'anthropic',
      name: 'Claude',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-ant-fake-gateway-0007',
      defaultModel: 'fake-large',
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello, Claude?' },
    ];
    const completion = await openai.chat.completions.create({ model: 'Claude/fake-large', messages });
    const words = REPLY.split(' ').length;
    expect(completion.choices[0]).toMatchObject({ message: { content: REPLY }, finish_reason: 'stop' });
    expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: words, total_tokens: 5 + words });
    const seen = fake.seen.findLast((r) => r.path === '/v1/messages');
    expect(seen?.headerNames).toContain('x-api-key');
    expect(seen?.body).toMatchObject({ model: 'fake-large', system: [{ type: 'text', text: 'Be brief.' }] });

    const stream = await openai.chat.completions.create({
      model: 'Claude/fake-large',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(REPLY);
    expect(usage?.completion_tokens).toBe(words);
  });
});
