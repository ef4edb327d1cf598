// P7: time to the first chunk carrying text of a streaming /v1/chat/completions through Parley's OpenAI-compatible
// gateway, against the same client calling the fake provider (its own process) directly; p50 over BENCH_P7_RUNS
// alternating runs. Target: ≤ 1 ms more than direct.
import { createApiKey, createProvider, signUp } from '../lib/accounts.ts';
import { startFake } from '../lib/fake.ts';
import { runWorker } from '../lib/processes.ts';
import { ms, note, percentile, printLine } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

const RUNS = Number(process.env.BENCH_P7_RUNS ?? 200);
const WARMUP = Number(process.env.BENCH_P7_WARMUP ?? 100);

interface Timing {
  firstByte: number;
  firstText: number;
}

export async function p7() {
  const fake = await startFake({ words: 8, delayMs: 0 });
  // Production refuses loopback provider URLs; this setting is how a self-hosted provider is allowed.
  const { product } = await startStack({ extra: { PROVIDER_URL_ALLOWLIST: '127.0.0.1' } });
  const account = await signUp(product.base);
  const apiKey = await createApiKey(product.base, account);
  await createProvider(product.base, account, fake.baseUrl);

  const { direct, gateway } = await runWorker<{ direct: Timing[]; gateway: Timing[] }>('gateway-first-chunk', {
    gateway: product.base,
    apiKey,
    model: 'Fake/fake-large',
    providerUrl: fake.baseUrl,
    runs: RUNS,
    warmup: WARMUP,
  });
  const p = (timings: Timing[], key: keyof Timing, q: number) =>
    percentile(
      timings.map((t) => t[key]),
      q,
    );
  const directText = p(direct, 'firstText', 50);
  const gatewayText = p(gateway, 'firstText', 50);
  note(
    `plain fetch, stream: true, API key as Bearer, ${RUNS} runs after ${WARMUP} untimed, alternating; ` +
      `first byte p50 direct ${ms(p(direct, 'firstByte', 50))}, gateway ${ms(p(gateway, 'firstByte', 50))}; ` +
      `first text p95 direct ${ms(p(direct, 'firstText', 95))}, gateway ${ms(p(gateway, 'firstText', 95))}`,
  );
  printLine({
    id: 'P7',
    what: '/v1/chat/completions (stream) to the first chunk with text, p50, vs the provider called directly',
    baseline: ms(directText),
    figure: ms(gatewayText),
    ratio: `+${ms(gatewayText - directText)}`,
    target: '≤ +1.00 ms',
    met: gatewayText - directText <= 1,
  });
}
