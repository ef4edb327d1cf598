// Redis going away under a running server (REDIS_URL set): sends are refused as SERVICE_UNAVAILABLE instead of
// hanging, reads that do not need Redis go on, and everything works again once Redis is back. Uses a private
// redis-server on a free port (the machine's Redis is never stopped).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { type FakeProvider, startFakeProvider } from '@parley/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorOf, rejection } from './helpers/errors.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { freePort } from './helpers/http.ts';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    if (
      spawnSync('redis-cli', ['-p', String(port), 'ping'])
        .stdout?.toString()
        .includes('PONG')
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not start');
}

describe.runIf(hasRedis)('Redis goes away and comes back', () => {
  let port: number;
  let redis: ChildProcess;
  let fake: FakeProvider;
  let h: Harness;

  beforeAll(async () => {
    port = await freePort();
    [redis, fake] = await Promise.all([startRedis(port), startFakeProvider()]);
    h = await createHarness({ REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    redis?.kill('SIGKILL');
    await Promise.all([h?.close(), fake?.close()]);
  });

  it('a send is SERVICE_UNAVAILABLE while Redis is down, reads go on, and sends work again after', async () => {
    const user = await h.signUp('redis-outage@example.com');
    const api = await h.caller(user.headers);
    const provider = await api.providers.create({
      kind: 'openai-compatible',
      name: 'Fake',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-fake-redis-outage-01',
      defaultModel: 'fake-large',
    });
    const chat = await api.chat.create({ providerId: provider.id });
    expect((await api.chat.send({ chatId: chat.id, text: 'before' })).assistantMessage.status).toBe('streaming');

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    const refused = await rejection(api.chat.send({ chatId: chat.id, text: 'during' }));
    expect(appErrorOf(refused)?.code).toBe('SERVICE_UNAVAILABLE');
    expect((await api.chat.list({})).items.map((c) => c.id)).toContain(chat.id);

    redis = await startRedis(port);
    let sent: string | undefined;
    for (let i = 0; i < 100 && !sent; i++) {
      sent = await api.chat.send({ chatId: chat.id, text: 'after' }).then(
        (r) => r.assistantMessage.id,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        },
      );
    }
    expect(sent).toBeDefined();
    const texts = (await api.chat.messages({ chatId: chat.id })).items.map((m) => m.text);
    expect(texts).not.toContain('during');
  }, 60_000);
});
