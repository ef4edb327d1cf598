// pnpm bench — streaming replies: N concurrent replies from a local fake provider through Parley.
// Prints time to first token through Parley against the same provider called directly (side by side, same run),
// delta throughput with a check that no delta was dropped or reordered, and server memory per live reply.
// Env: BENCH_STREAMS (default 200), BENCH_DELTAS (30), BENCH_DELAY_MS (20), BENCH_TTFT_RUNS (100),
//      BENCH_WARMUP (100 untimed rounds first: JIT and caches), BENCH_DATABASE_URL (PostgreSQL; default embedded PGlite in memory).
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { startFakeProvider } from '@parley/testkit';
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { streamText } from 'ai';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import type { AppRouter } from '../src/router.ts';
import { signUpBenchUser, startBenchServer } from './setup.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const STREAMS = env('BENCH_STREAMS', 200);
const DELTAS = env('BENCH_DELTAS', 30);
const DELAY_MS = env('BENCH_DELAY_MS', 20);
const TTFT_RUNS = env('BENCH_TTFT_RUNS', 100);
const WARMUP = env('BENCH_WARMUP', 100);
const MB = 1024 * 1024;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (n: number) => n.toFixed(2);

async function main() {
  const fake = await startFakeProvider();
  fake.reply = Array.from({ length: DELTAS }, (_, i) => `w${i} `).join('');
  const { app, database, base, port } = await startBenchServer({
    MAX_CONCURRENT_GENERATIONS: String(STREAMS + 10),
  });
  await app.listen({ host: '127.0.0.1', port });
  const cookie = await signUpBenchUser(base);
  const authed: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    headers.set('origin', base);
    return fetch(input, { ...init, headers });
  };
  const url = `${base}/trpc`;
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, transformer: superjson, EventSource, eventSourceOptions: { fetch: authed } }),
        false: httpLink({ url, transformer: superjson, fetch: authed }),
      }),
    ],
  });
  const provider = await api.providers.create.mutate({
    kind: 'openai-compatible',
    name: 'Fake',
    baseUrl: fake.baseUrl,
    apiKey: 'sk-bench',
    defaultModel: 'fake-large',
  });
  const chat = await api.chat.create.mutate({ providerId: provider.id, title: 'bench' });

  interface Followed {
    firstDeltaMs: number;
    text: string;
    deltas: number;
    ordered: boolean;
  }
  /** Records one delta; the event id must be the length of the text so far (nothing dropped or reordered). */
  const record = (state: Followed, started: number, id: string | undefined, delta: string) => {
    if (state.deltas++ === 0) state.firstDeltaMs = performance.now() - started;
    state.text += delta;
    if (id !== String(state.text.length)) state.ordered = false;
  };

  /** Sends a message and follows the reply; resolves with the first-delta time and the assembled text. */
  const reply = async (text: string): Promise<Followed> => {
    const started = performance.now();
    const { assistantMessage } = await api.chat.send.mutate({ chatId: chat.id, text });
    const state: Followed = { firstDeltaMs: Number.NaN, text: '', deltas: 0, ordered: true };
    return new Promise((resolve, reject) => {
      const subscription = api.chat.stream.subscribe(
        { messageId: assistantMessage.id },
        {
          onData({ id, data }) {
            if (data.type === 'text-delta') return record(state, started, id, data.delta);
            subscription.unsubscribe();
            resolve(state);
          },
          onError: reject,
        },
      );
    });
  };

  // Time to first token: the fake provider called directly through the same AI SDK provider, then through Parley.
  fake.delayMs = 0;
  const direct = createOpenAICompatible({ name: 'direct', baseURL: fake.baseUrl, apiKey: 'sk-bench' }).chatModel(
    'fake-large',
  );
  const directTimes: number[] = [];
  const parleyTimes: number[] = [];
  for (let run = 0; run < WARMUP + TTFT_RUNS; run++) {
    if (run === WARMUP) {
      directTimes.length = 0;
      parleyTimes.length = 0;
    }
    const started = performance.now();
    const result = streamText({ model: direct, prompt: 'hi' });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        directTimes.push(performance.now() - started);
        break;
      }
    }
    await result.consumeStream();
    parleyTimes.push((await reply('hi')).firstDeltaMs);
  }

  // Concurrent live replies: RSS before, peak RSS while all are streaming, deltas received, order kept.
  fake.delayMs = DELAY_MS;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: STREAMS }, (_, i) => reply(`stream ${i}`)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const deltas = results.reduce((sum, r) => sum + r.deltas, 0);
  const wrong = results.filter((r) => r.text !== fake.reply).length;
  const disordered = results.filter((r) => !r.ordered).length;

  const overhead = percentile(parleyTimes, 50) - percentile(directTimes, 50);
  const perStreamKiB = (rssPeak - rssBefore) / STREAMS / 1024;
  const lines = [
    `streaming benchmark: ${STREAMS} concurrent replies × ${DELTAS} deltas (${DELAY_MS} ms apart), ${database.kind}, Node ${process.versions.node}`,
    `P3a time to first token, p50 / p95 over ${TTFT_RUNS} runs: direct ${ms(percentile(directTimes, 50))} / ${ms(percentile(directTimes, 95))} ms, through Parley ${ms(percentile(parleyTimes, 50))} / ${ms(percentile(parleyTimes, 95))} ms; overhead at p50 ${ms(overhead)} ms (target ≤ 1 ms)`,
    `    (through Parley = chat.send mutation + generation start + SSE subscription, all over HTTP)`,
    `P3b deltas received: ${deltas} in ${seconds.toFixed(2)} s = ${Math.round(deltas / seconds)} deltas/s; replies with dropped or changed text: ${wrong}; reordered: ${disordered}`,
    `P3b memory: RSS ${(rssBefore / MB).toFixed(0)} MB before, ${(rssPeak / MB).toFixed(0)} MB peak while streaming → ${perStreamKiB.toFixed(1)} KiB per live reply (target < 64 KiB; clients run in the same process)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await app.close();
  await fake.close();
  if (wrong > 0 || disordered > 0) process.exitCode = 1;
}

await main();
