// One user's open reply streams are capped (MAX_STREAMS_PER_USER): past the cap, chat.stream and chat.sendAndStream
// are TOO_MANY_REQUESTS before anything streams; a stream that ends frees its slot; other users are not affected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness, type SignedIn } from './helpers/harness.ts';
import { mockModel } from './helpers/mock-model.ts';

let h: Harness;
let ada: SignedIn;
let bob: SignedIn;
const providers = new Map<string, string>();

beforeAll(async () => {
  h = await createHarness({ MAX_STREAMS_PER_USER: '2', MAX_CONCURRENT_GENERATIONS: '5' });
  ada = await h.signUp('ada@slots.example');
  bob = await h.signUp('bob@slots.example');
  for (const user of [ada, bob]) {
    const provider = await (await h.caller(user.headers)).providers.create({
      kind: 'openai-compatible',
      name: 'Mock',
      baseUrl: 'http://localhost:9/v1',
      defaultModel: 'mock-model',
    });
    providers.set(user.userId, provider.id);
  }
});
afterAll(async () => {
  await h.close();
});

async function hangingReply(user: SignedIn) {
  const api = await h.caller(user.headers);
  const chat = await api.chat.create({ providerId: providers.get(user.userId) });
  const { assistantMessage } = await api.chat.send({ chatId: chat.id, text: 'go' });
  return { api, messageId: assistantMessage.id };
}

/** Reads a stream to its end in the background. */
function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  return (async () => {
    for await (const _ of iterable) {
      // Only the end matters.
    }
  })();
}

describe('open streams per user', () => {
  it('refuses a stream past the cap, and frees the slot when a stream ends', async () => {
    h.useModel(mockModel({ deltas: ['waiting'], hang: true }));
    const first = await hangingReply(ada);
    const second = await hangingReply(ada);
    const third = await hangingReply(ada);
    const a = drain(await first.api.chat.stream({ messageId: first.messageId }));
    const b = drain(await second.api.chat.stream({ messageId: second.messageId }));
    expect(h.replies.streamSlots.count(ada.userId)).toBe(2);

    const refused = await rejection(third.api.chat.stream({ messageId: third.messageId }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(appErrorOf(refused)?.code).toBe('TOO_MANY_STREAMS');
    const sendRefused = await rejection(
      third.api.chat.sendAndStream({
        chatId: (await third.api.chat.create({ providerId: providers.get(ada.userId) })).id,
        text: 'and more',
      }),
    );
    expect(appErrorOf(sendRefused)?.code).toBe('TOO_MANY_STREAMS');

    // Another user is not limited by Ada's streams.
    const other = await hangingReply(bob);
    const c = drain(await other.api.chat.stream({ messageId: other.messageId }));

    // Stopping a reply ends its stream, and its slot is free again.
    await first.api.chat.stop({ messageId: first.messageId });
    await a;
    expect(h.replies.streamSlots.count(ada.userId)).toBe(1);
    const d = drain(await third.api.chat.stream({ messageId: third.messageId }));

    await Promise.all([
      second.api.chat.stop({ messageId: second.messageId }),
      third.api.chat.stop({ messageId: third.messageId }),
      other.api.chat.stop({ messageId: other.messageId }),
    ]);
    await Promise.all([b, c, d]);
    expect(h.replies.streamSlots.count(ada.userId)).toBe(0);
    expect(h.replies.streamSlots.count(bob.userId)).toBe(0);
  });
});
