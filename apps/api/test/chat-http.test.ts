// Replies over real HTTP: @trpc/client with httpSubscriptionLink (SSE on Fastify), against a local fake
// OpenAI-compatible provider reached through the real AI SDK provider.

import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, followReply, type ReplyEvent, startServer, type TestServer, textOf } from './helpers/http.ts';

const REPLY = 'The quick brown fox jumps over the lazy dog and keeps on running far away.';

let server: TestServer;
let fake: FakeProvider;
let client: Client;
let providerId: string;

beforeAll(async () => {
  [server, fake] = await Promise.all([startServer({ env: { CHECKPOINT_INTERVAL_MS: '50' } }), startFakeProvider()]);
  client = new Client(server.url);
  await client.postJson('/api/auth/sign-up/email', { email: 'stream@example.com', password: PASSWORD, name: 'S' });
  const provider = await client.trpc().providers.create.mutate({
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl: fake.baseUrl,
    apiKey: 'sk-fake-stream-key-0001',
    defaultModel: 'fake-large',
  });
  providerId = provider.id;
});
afterAll(async () => {
  await Promise.all([server.close(), fake.close()]);
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.reply = REPLY;
  fake.delayMs = 0;
});

const follow = (messageId: string, options: { lastEventId?: string; take?: number } = {}) =>
  followReply(client, messageId, options);

async function send(text: string) {
  const trpc = client.trpc();
  const chat = await trpc.chat.create.mutate({ providerId });
  return { chat, ...(await trpc.chat.send.mutate({ chatId: chat.id, text })) };
}

async function stored(chatId: string) {
  const page = await client.trpc().chat.messages.query({ chatId, limit: 1 });
  return page.items[0];
}

describe('what works', () => {
  it('the streamed deltas assemble into the stored text', async () => {
    const { chat, assistantMessage } = await send('Tell me about the fox');
    const events = await follow(assistantMessage.id);
    expect(events.at(-1)?.data).toMatchObject({ type: 'finish', message: { status: 'complete', text: REPLY } });
    expect(textOf(events)).toBe(REPLY);
    expect(await stored(chat.id)).toMatchObject({ status: 'complete', text: REPLY, finishReason: 'stop' });
    const request = fake.seen.findLast((r) => r.path === '/v1/chat/completions');
    expect(request?.authorization).toBe('Bearer sk-fake-stream-key-0001');
  });

  it('a client that disconnects mid-stream finds the reply complete later', async () => {
    fake.delayMs = 20;
    const { chat, assistantMessage } = await send('Tell me slowly');
    const partial = await follow(assistantMessage.id, { take: 2 });
    expect(textOf(partial).length).toBeGreaterThan(0);
    expect(textOf(partial).length).toBeLessThan(REPLY.length);
    await expect.poll(async () => (await stored(chat.id))?.status, { timeout: 10_000 }).toBe('complete');
    expect((await stored(chat.id))?.text).toBe(REPLY);
  });

  it('reconnecting with lastEventId yields only the rest', async () => {
    fake.delayMs = 20;
    const { assistantMessage } = await send('Tell me in two parts');
    const first = await follow(assistantMessage.id, { take: 3 });
    const lastEventId = first.at(-1)?.id;
    expect(lastEventId).toBe(String(textOf(first).length));
    const rest = await follow(assistantMessage.id, { lastEventId });
    expect(textOf(first) + textOf(rest)).toBe(REPLY);
    expect(rest.at(-1)?.data.type).toBe('finish');
  });

  it('stop mid-stream leaves the reply stopped with its partial text, and the provider call is aborted', async () => {
    fake.delayMs = 30;
    const abandonedBefore = fake.abandoned;
    const { chat, assistantMessage } = await send('Talk until I stop you');
    const partial = await follow(assistantMessage.id, { take: 2 });
    const stopped = await client.trpc().chat.stop.mutate({ messageId: assistantMessage.id });
    expect(stopped.status).toBe('stopped');
    expect(stopped.text.length).toBeGreaterThanOrEqual(textOf(partial).length);
    expect(REPLY.startsWith(stopped.text)).toBe(true);
    expect(stopped.text.length).toBeLessThan(REPLY.length);
    expect(await stored(chat.id)).toMatchObject({ status: 'stopped', text: stopped.text });
    await expect.poll(() => fake.abandoned).toBe(abandonedBefore + 1);
  });
});

describe('what fails, and how', () => {
  it.each([
    ['unauthorized', 'the provider rejected the API key', ''],
    ['error', 'the provider failed (HTTP 500)', ''],
    ['cut-mid-stream', 'the connection to the provider broke off mid-reply', 'partial'],
  ] as const)('a provider that answers %s ends the reply as error: "%s"', async (mode, reason, partial) => {
    fake.mode = mode;
    const { chat, assistantMessage } = await send('Try me');
    const events = await follow(assistantMessage.id);
    expect(events.at(-1)?.data).toMatchObject({ type: 'error', message: { status: 'error', error: reason } });
    const row = await stored(chat.id);
    expect(row).toMatchObject({ status: 'error', error: reason });
    if (partial) expect(row?.text.length).toBeGreaterThan(0);
    expect(row?.error).not.toContain('sk-fake');
    fake.mode = 'ok';
    const again = await send('Still there?');
    expect((await follow(again.assistantMessage.id)).at(-1)?.data.type).toBe('finish');
  });
});

type StartedOrEvent = ReplyEvent & {
  data: { type: string; userMessage?: { text: string }; assistantMessage?: { id: string } };
};

/** chat.sendAndStream: one request from the question to the reply's final event (or the first `take` events). */
function sendAndStream(
  input: { chatId: string; text: string; clientRequestId?: string; lastEventId?: string },
  take?: number,
): Promise<StartedOrEvent[]> {
  return new Promise((resolve, reject) => {
    const events: StartedOrEvent[] = [];
    const subscription = client.trpc().chat.sendAndStream.subscribe(input, {
      onData(event) {
        events.push(event as StartedOrEvent);
        const type = (event.data as { type: string }).type;
        if ((type !== 'text-delta' && type !== 'started') || events.length === take) {
          subscription.unsubscribe();
          resolve(events);
        }
      },
      onError: reject,
    });
  });
}

describe('chat.sendAndStream: from text to tokens in one request', () => {
  it('yields started with both messages, then the deltas, then finish; both are stored', async () => {
    const chat = await client.trpc().chat.create.mutate({ providerId });
    const events = await sendAndStream({ chatId: chat.id, text: 'One request, please' });
    const started = events[0]?.data;
    expect(started).toMatchObject({ type: 'started', userMessage: { text: 'One request, please' } });
    expect(events.at(-1)?.data).toMatchObject({ type: 'finish', message: { status: 'complete', text: REPLY } });
    expect(textOf(events)).toBe(REPLY);
    const page = await client.trpc().chat.messages.query({ chatId: chat.id });
    expect(page.items.map((m) => [m.role, m.status])).toEqual([
      ['assistant', 'complete'],
      ['user', 'complete'],
    ]);
    expect(page.items[0]?.id).toBe(started?.assistantMessage?.id);
  });

  it('a dropped client resumes with chat.stream and the last event id, and gets exactly the rest', async () => {
    fake.delayMs = 20;
    const chat = await client.trpc().chat.create.mutate({ providerId });
    const first = await sendAndStream({ chatId: chat.id, text: 'Drop me' }, 3);
    const messageId = first[0]?.data.assistantMessage?.id as string;
    const rest = await follow(messageId, { lastEventId: first.at(-1)?.id });
    expect(textOf(first) + textOf(rest)).toBe(REPLY);
    expect(rest.at(-1)?.data.type).toBe('finish');
  });

  it('the same clientRequestId twice is one question, one reply and one provider call', async () => {
    const chat = await client.trpc().chat.create.mutate({ providerId });
    const calls = () => fake.seen.filter((r) => r.path === '/v1/chat/completions').length;
    const before = calls();
    const input = { chatId: chat.id, text: 'Only once', clientRequestId: 'retry-me-1' };
    const first = await sendAndStream(input);
    const second = await sendAndStream(input);
    expect(second[0]?.data.assistantMessage?.id).toBe(first[0]?.data.assistantMessage?.id);
    expect(textOf(second)).toBe(REPLY);
    expect((await client.trpc().chat.messages.query({ chatId: chat.id })).items).toHaveLength(2);
    const replies = fake.seen.filter((r) => {
      const body = JSON.stringify(r.body);
      return (
        r.path === '/v1/chat/completions' && body.includes('Only once') && !body.includes('You name conversations')
      );
    });
    expect(replies).toHaveLength(1);
    expect(calls() - before).toBeLessThanOrEqual(2); // the reply, and the new chat's title
  });

  it('refusals keep their code: a chat that is not there is NOT_FOUND before anything streams', async () => {
    const error = await sendAndStream({ chatId: 'no-such-chat', text: 'Hello?' }).then(
      () => null,
      (e: unknown) => e as { data?: { code?: string; appCode?: string } },
    );
    expect(error?.data).toMatchObject({ code: 'NOT_FOUND', appCode: 'CHAT_NOT_FOUND' });
  });
});

describe('provider keys on the wire', () => {
  it('replies of two users on one endpoint and model each carry their own key, and nothing else', async () => {
    const other = new Client(server.url);
    await other.postJson('/api/auth/sign-up/email', { email: 'other-key@example.com', password: PASSWORD, name: 'O' });
    const keys = ['sk-first-user-key-1111', 'sk-second-user-key-2222'];
    const ids = await Promise.all(
      [client, other].map(async (c, i) => {
        const p = await c.trpc().providers.create.mutate({
          kind: 'openai-compatible',
          name: `Shared endpoint ${i}`,
          baseUrl: fake.baseUrl,
          apiKey: keys[i],
          defaultModel: 'fake-large',
        });
        const chat = await c.trpc().chat.create.mutate({ providerId: p.id, title: 'keys' });
        return { c, chat, text: `question from user ${i}` };
      }),
    );
    fake.seen.length = 0;
    await Promise.all(
      ids.map(async ({ c, chat, text }) => {
        const sent = await c.trpc().chat.send.mutate({ chatId: chat.id, text });
        await expect
          .poll(async () => (await c.trpc().chat.messages.query({ chatId: chat.id })).items[0]?.status)
          .toBe('complete');
        return sent;
      }),
    );
    const calls = fake.seen.filter((r) => r.path === '/v1/chat/completions');
    expect(calls).toHaveLength(2);
    for (const [i, key] of keys.entries()) {
      const call = calls.find((r) => JSON.stringify(r.body).includes(`question from user ${i}`));
      expect(call?.authorization).toBe(`Bearer ${key}`);
    }
    for (const call of calls) expect(call.headerNames).not.toContain('x-parley-provider-key');
  });

  it('an endpoint without a key gets no Authorization header at all', async () => {
    const p = await client.trpc().providers.create.mutate({
      kind: 'openai-compatible',
      name: 'No key',
      baseUrl: fake.baseUrl,
      defaultModel: 'fake-large',
    });
    const chat = await client.trpc().chat.create.mutate({ providerId: p.id, title: 'no key' });
    fake.seen.length = 0;
    const { assistantMessage } = await client.trpc().chat.send.mutate({ chatId: chat.id, text: 'keyless' });
    expect((await follow(assistantMessage.id)).at(-1)?.data.type).toBe('finish');
    const call = fake.seen.find((r) => r.path === '/v1/chat/completions');
    expect(call?.authorization).toBeUndefined();
    expect(call?.headerNames).not.toContain('x-parley-provider-key');
  });
});
