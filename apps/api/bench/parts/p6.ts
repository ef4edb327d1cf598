// P6: two Parley servers on one PostgreSQL database and one Redis. A client process follows each reply on its owner
// (A) and on the other server (B) at once and times every delta on both; then it stops replies A writes through B,
// and the fake provider (its own process) reports when each upstream stream ended. Targets: B's delta ≤ 2 ms after
// A's (p50); a stop through B ends the upstream call ≤ 100 ms after it was sent (p50).
import { randomUUID } from 'node:crypto';
import { createApiKey, createChat, createProvider, signUp } from '../lib/accounts.ts';
import { abandonedTimes, startFake } from '../lib/fake.ts';
import { runWorker } from '../lib/processes.ts';
import { startProduct } from '../lib/product.ts';
import { ms, note, percentile, printLine } from '../lib/report.ts';
import { describeStack, startStack } from '../lib/stack.ts';

const RUNS = Number(process.env.BENCH_P6_RUNS ?? 20);
const STOP_RUNS = Number(process.env.BENCH_P6_STOPS ?? 20);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function p6() {
  const fake = await startFake({ words: 40, delayMs: 20, reportAbandoned: true });
  const extra = {
    PROVIDER_URL_ALLOWLIST: '127.0.0.1',
    REDIS_URL,
    REDIS_PREFIX: `bench-${randomUUID()}:`,
  };
  const stack = await startStack({ extra });
  const a = stack.product;
  const b = await startProduct({ databaseUrl: stack.database.url, extra });
  const account = await signUp(a.base);
  const apiKey = await createApiKey(a.base, account);
  const providerId = await createProvider(a.base, account, fake.baseUrl);
  const chatId = await createChat(a.base, account, { providerId, title: 'two servers' });

  const { lags, stops } = await runWorker<{ lags: number[]; stops: { sentAt: number; answeredMs: number }[] }>(
    'two-servers',
    { baseA: a.base, baseB: b.base, apiKey, chatId, runs: RUNS, stopRuns: STOP_RUNS },
  );
  const ended = abandonedTimes(fake);
  const stopLatencies = stops.map(({ sentAt }) => {
    const at = ended.find((t) => t >= sentAt);
    return at === undefined ? Number.POSITIVE_INFINITY : at - sentAt;
  });
  note(
    `${describeStack(stack, { ...extra, REDIS_PREFIX: '<random>' })}; B pid ${b.pid}; ${RUNS} replies of 40 words at 20 ms, ` +
      `${lags.length} deltas compared; lag p95 ${ms(percentile(lags, 95))}; ${STOP_RUNS} stops, answered p50 ` +
      `${ms(
        percentile(
          stops.map((s) => s.answeredMs),
          50,
        ),
      )}`,
  );
  const lag = percentile(lags, 50);
  printLine({
    id: 'P6',
    what: 'a delta on the other server after the owner, p50',
    baseline: 'owner',
    figure: ms(lag),
    ratio: `+${ms(lag)}`,
    target: '≤ +2.00 ms',
    met: lag <= 2,
  });
  const stop = percentile(stopLatencies, 50);
  printLine({
    id: 'P6',
    what: 'chat.stop on the other server to the upstream call ending, p50',
    baseline: '—',
    figure: ms(stop),
    ratio: '—',
    target: '≤ 100 ms',
    met: stop <= 100,
  });
  await b.stop();
}
