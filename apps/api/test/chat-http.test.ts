// Replies over real HTTP: @trpc/client with httpSubscriptionLink (SSE on Fastify), against a local fake
// OpenAI-compatible provider reached through the real AI SDK provider.

import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from './helpers/harness.ts';
import { Client, startServer, type TestServer } from './helpers/http.ts';

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

type Event = {
  id?: string;
  data: { type: string; delta?: string; message?: { status: string; text: string; error: string | null } };
};

/** Follows a reply over SSE; stops after `take` deltas (a client going away) or at the final event. */
function follow(messageId: string, options: { lastEventId?: string; take?: number } = {}): Promise<Event[]> {
  return new Promise((resolve, reject) => {
    const events: Event[] = [];
    let deltas = 0;
    const subscription = client.trpc().chat.stream.subscribe(
      { messageId, lastEventId: options.lastEventId },
      {
        onData(event) {
          events.push(event as Event);
          const done = event.data.type !== 'text-delta' || (options.take !== undefined && ++deltas >= options.take);
          if (done) {
            subscription.unsubscribe();
            resolve(events);
          }
        },
        onError: reject,
      },
    );
  });
}

const textOf = (events: Event[]) =>
  events
    .filter((e) => e.data.type === 'text-delta')
    .map((e) => e.data.delta)
    .join('');

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
