// A provider that accepts a reply and then goes silent (mid-stream, or before its first token) has its call aborted
// after PROVIDER_IDLE_TIMEOUT_MS: the reply ends as an error saying so, keeping its partial text; a stop still wins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, ProviderIdleError } from '../src/modules/replies/generate.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;
let ada: SignedIn;
let providerId: string;

beforeAll(async () => {
  h = await createHarness({ PROVIDER_IDLE_TIMEOUT_MS: '300' });
  ada = await h.signUp('ada@idle.example');
  const provider = await (await h.caller(ada.headers)).providers.create({
    kind: 'openai-compatible',
    name: 'Mock',
    baseUrl: 'http://localhost:9/v1',
    defaultModel: 'mock-model',
  });
  providerId = provider.id;
});
afterAll(async () => {
  await h.close();
});

type StreamEvent = { type: string; message?: { status: string; text: string; error: string | null } };

async function finalEvent(messageId: string): Promise<StreamEvent | undefined> {
  const api = await h.caller(ada.headers);
  const iterable = (await api.chat.stream({ messageId })) as AsyncIterable<[string, StreamEvent]>;
  let last: StreamEvent | undefined;
  for await (const [, data] of iterable) {
    last = data;
    if (data.type !== 'text-delta') break;
  }
  return last;
}

describe('a provider that stops sending', () => {
  it('mid-stream: the reply ends as an error naming the silence, with its partial text kept', async () => {
    h.useModel(mockModel({ deltas: ['half ', 'an answer'], hang: true }));
    const api = await h.caller(ada.headers);
    const chat = await api.chat.create({ providerId });
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'go' });
    const final = await finalEvent(assistantMessage.id);
    expect(final?.message).toMatchObject({
      status: 'error',
      text: 'half an answer',
      error: 'the provider stopped sending (no data for 0.3 s)',
    });
    const [stored] = (await api.chat.messages({ chatId: chat.id, limit: 1 })).items;
    expect(stored).toMatchObject({ status: 'error', error: 'the provider stopped sending (no data for 0.3 s)' });
  });

  it('before the first token: the same', async () => {
    h.useModel(mockModel({ deltas: [], hang: true }));
    const api = await h.caller(ada.headers);
    const chat = await api.chat.create({ providerId });
    const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'go' });
    expect((await finalEvent(assistantMessage.id))?.message).toMatchObject({ status: 'error', text: '' });
  });

  it('a steady provider slower in total than the bound is not cut off', async () => {
    // 12 pieces 150 ms apart: about 1.8 s in all, against a bound of 1 s on any one gap.
    const deltas = Array.from({ length: 10 }, (_, i) => `word${i} `);
    const parts = [];
    for await (const part of generate({
      model: mockModel({ deltas, delayMs: 150 }),
      system: undefined,
      messages: [{ role: 'user', content: 'count' }],
      abortSignal: new AbortController().signal,
      idleTimeoutMs: 1_000,
    })) {
      parts.push(part);
    }
    expect(parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text)).toEqual(deltas);
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it("the caller's own abort (a stop) is not reported as silence", async () => {
    const stop = new AbortController();
    const run = (async () => {
      for await (const part of generate({
        model: mockModel({ deltas: ['a'], hang: true }),
        system: undefined,
        messages: [{ role: 'user', content: 'x' }],
        abortSignal: stop.signal,
        idleTimeoutMs: 60_000,
      })) {
        if (part.type === 'text') stop.abort();
      }
    })();
    const outcome = await run.then(
      () => 'ended',
      (error: unknown) => error,
    );
    expect(outcome).not.toBeInstanceOf(ProviderIdleError);
  });
});
