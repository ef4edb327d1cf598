// Graceful shutdown: live replies may finish within REPLY_DRAIN_MS, the rest are closed as interrupted with their text,
// and no new reply starts meanwhile.
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message } from '../src/shared/db/schema/index.ts';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

let fake: FakeProvider;
let h: Harness;
beforeAll(async () => {
  [fake, h] = await Promise.all([
    startFakeProvider(),
    createHarness({ REPLY_DRAIN_MS: '1500', CHECKPOINT_INTERVAL_MS: '50' }),
  ]);
});
afterAll(async () => {
  await Promise.all([fake.close(), h.close()]);
});

describe('shutdown', () => {
  it('replies ending within the drain time complete, the rest are closed as interrupted; no new reply starts', async () => {
    const user = await h.signUp('drain@example.com');
    const api = await h.caller(user.headers);
    const provider = await api.providers.create({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-fake-drain-0001',
      defaultModel: 'fake-large',
    });
    const chat = await api.chat.create({ providerId: provider.id });
    fake.delayMs = 20;
    fake.reply = 'short and sweet reply';
    const asked = fake.seen.length;
    const short = await api.chat.send({ chatId: chat.id, text: 'short' });
    // The fake reads its reply when the request arrives: wait for it before changing the next one.
    while (fake.seen.length === asked) await new Promise((resolve) => setTimeout(resolve, 5));
    fake.reply = Array.from({ length: 500 }, (_, i) => `long${i}`).join(' ');
    const long = await api.chat.send({ chatId: chat.id, text: 'long' });

    const closing = h.replies.close();
    const refused = await rejection(api.chat.send({ chatId: chat.id, text: 'too late' }));
    expect(appErrorOf(refused)?.code).toBe('SERVICE_UNAVAILABLE');
    await closing;

    const rows = await h.db.select().from(message).where(eq(message.chatId, chat.id));
    const byId = new Map(rows.map((m) => [m.id, m] as const));
    expect(byId.get(short.assistantMessage.id)).toMatchObject({ status: 'complete', text: 'short and sweet reply' });
    const interrupted = byId.get(long.assistantMessage.id);
    expect(interrupted?.status).toBe('error');
    expect(interrupted?.error).toMatch(/interrupted/);
    expect(interrupted?.text.length).toBeGreaterThan(0);
    expect(fake.reply.startsWith(interrupted?.text ?? '-')).toBe(true);
    expect(rows.map((m) => m.text)).not.toContain('too late');
  }, 30_000);
});
