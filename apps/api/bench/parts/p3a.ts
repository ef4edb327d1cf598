// P3a: time from calling the send to the first text delta at a @trpc/client process, against the same client
// calling the fake provider (its own process) directly through the AI SDK; p50 over BENCH_P3A_RUNS alternating runs.
// Target: ≤ 1 ms more than direct.
import { createApiKey, createChat, createProvider, signUp } from '../lib/accounts.ts';
import { startFake } from '../lib/fake.ts';
import { runWorker } from '../lib/processes.ts';
import { ms, note, percentile, printLine } from '../lib/report.ts';
import { chatRouterHas } from '../lib/router-has.ts';
import { startStack } from '../lib/stack.ts';

const RUNS = Number(process.env.BENCH_P3A_RUNS ?? 100);
const WARMUP = Number(process.env.BENCH_P3A_WARMUP ?? 30);

export async function p3a() {
  const fake = await startFake({ words: 8, delayMs: 0 });
  // Production refuses loopback provider URLs; this setting is how a self-hosted provider is allowed.
  const { product } = await startStack({ extra: { PROVIDER_URL_ALLOWLIST: '127.0.0.1' } });
  const account = await signUp(product.base);
  const apiKey = await createApiKey(product.base, account);
  const providerId = await createProvider(product.base, account, fake.baseUrl);
  const chatId = await createChat(product.base, account, { providerId, title: 'first token' });
  const oneRequest = chatRouterHas('sendAndStream');

  const { directTimes, parleyTimes } = await runWorker<{ directTimes: number[]; parleyTimes: number[] }>(
    'first-token',
    { base: product.base, apiKey, chatId, providerUrl: fake.baseUrl, runs: RUNS, warmup: WARMUP, oneRequest },
  );
  const direct = percentile(directTimes, 50);
  const parley = percentile(parleyTimes, 50);
  note(
    `${oneRequest ? 'chat.sendAndStream (one request)' : 'chat.send then chat.stream (no chat.sendAndStream yet)'}, ` +
      `API key, ${RUNS} runs after ${WARMUP} untimed; p95 direct ${ms(percentile(directTimes, 95))}, Parley ${ms(percentile(parleyTimes, 95))}`,
  );
  printLine({
    id: 'P3a',
    what: 'send to first text delta at the client, p50, vs the provider called directly',
    baseline: ms(direct),
    figure: ms(parley),
    ratio: `+${ms(parley - direct)}`,
    target: '≤ +1.00 ms',
    met: parley - direct <= 1,
  });
}
