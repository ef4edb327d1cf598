// P3b: N live replies on one server (BENCH_P3B_REPLIES, default 2,000) from the fake provider streaming slowly, each
// followed over SSE by follower processes. Reports replies with dropped or reordered deltas, server memory growth per
// live reply (/proc/<pid>/status), chat.send p50 for one more user during the load, and /ready throughout.
// Targets: 2,000 live with 0 dropped or reordered, < 64 KiB per live reply, send p50 ≤ 50 ms, /ready 200 throughout.
import { type Account, createApiKey, createChat, createProvider, signUp } from '../lib/accounts.ts';
import { startFake } from '../lib/fake.ts';
import { rssOf, runWorker } from '../lib/processes.ts';
import { replyText } from '../lib/reply.ts';
import { chatRouterHas } from '../lib/router-has.ts';
import { startStack } from '../lib/stack.ts';
import { type Watch, watchServer } from '../lib/watch.ts';
import { type FollowerResult, printResults } from './p3b-report.ts';

const REPLIES = Number(process.env.BENCH_P3B_REPLIES ?? 2000);
const FOLLOWERS = Number(process.env.BENCH_P3B_FOLLOWERS ?? 4);
const WORDS = Number(process.env.BENCH_P3B_WORDS ?? 60);
const DELAY_MS = Number(process.env.BENCH_P3B_DELAY_MS ?? 750);
const RAMP_MS = Number(process.env.BENCH_P3B_RAMP_SECONDS ?? 20) * 1000;
/** Replies per user: under the per-user limit, which the bench raises to its maximum. */
const PER_USER = 500;
const LIMIT = '1000';

interface Job {
  apiKey: string;
  chatId: string;
}

/** A user with an API key, the fake provider, and `chats` chats (created through the API, a few at a time). */
async function seedUser(base: string, providerUrl: string, chats: number) {
  const account: Account = await signUp(base, 'p3b');
  const apiKey = await createApiKey(base, account);
  const providerId = await createProvider(base, account, providerUrl);
  const chatIds: string[] = [];
  for (let i = 0; i < chats; i += 8) {
    const batch = Array.from({ length: Math.min(8, chats - i) }, (_, j) =>
      createChat(base, account, { providerId, title: `live ${i + j}` }),
    );
    chatIds.push(...(await Promise.all(batch)));
  }
  return { account, apiKey, chatIds };
}

async function seedJobs(base: string, providerUrl: string): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let left = REPLIES; left > 0; left -= PER_USER) {
    const { apiKey, chatIds } = await seedUser(base, providerUrl, Math.min(PER_USER, left));
    jobs.push(...chatIds.map((chatId) => ({ apiKey, chatId })));
  }
  return jobs;
}

function parseProgress(line: string): { live?: number } | null {
  try {
    const parsed = JSON.parse(line) as { progress?: boolean; live?: number };
    return parsed.progress ? parsed : null;
  } catch {
    return null; // not one of ours (a warning)
  }
}

/** Runs the followers; `onLive` gets the number of replies streaming across all of them, every second. */
async function follow(base: string, jobs: Job[], onLive: (live: number) => void): Promise<FollowerResult[]> {
  const oneRequest = chatRouterHas('sendAndStream');
  const expected = replyText(WORDS);
  const deadlineMs = RAMP_MS + WORDS * DELAY_MS * 2 + 60_000;
  const live = new Array<number>(FOLLOWERS).fill(0);
  return Promise.all(
    Array.from({ length: FOLLOWERS }, (_, f) =>
      runWorker<FollowerResult>(
        'followers',
        { base, oneRequest, expected, rampMs: RAMP_MS, deadlineMs, jobs: jobs.filter((_, i) => i % FOLLOWERS === f) },
        {
          onLine(line) {
            const progress = parseProgress(line);
            if (!progress) return;
            live[f] = progress.live ?? 0;
            onLive(live.reduce((a, b) => a + b, 0));
          },
        },
      ),
    ),
  );
}

/** `redis`: the server runs as one of several would (REDIS_URL set): every reply's events also go to Redis. */
export async function p3b(redis = false) {
  const fake = await startFake({ words: WORDS, delayMs: DELAY_MS });
  // One user follows up to PER_USER replies here: the per-user caps on replies and open streams are raised to match.
  const settings = {
    PROVIDER_URL_ALLOWLIST: '127.0.0.1',
    MAX_CONCURRENT_GENERATIONS: LIMIT,
    MAX_STREAMS_PER_USER: LIMIT,
    ...(redis
      ? { REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench-${Date.now()}:` }
      : {}),
  };
  if (redis) process.stdout.write(`      with REDIS_URL=${settings.REDIS_URL}\n`);
  const { product } = await startStack({ extra: settings });
  const jobs = await seedJobs(product.base, fake.baseUrl);
  const prober = await seedUser(product.base, fake.baseUrl, 1);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rssBefore = rssOf(product.pid);

  const watch: Watch = watchServer({
    base: product.base,
    pid: product.pid,
    probe: { headers: { 'x-api-key': prober.apiKey }, chatId: prober.chatIds[0] ?? '' },
  });
  let peakLive = 0;
  let rssAtPeakLive = rssBefore;
  const results = await follow(product.base, jobs, (live) => {
    if (live >= peakLive) {
      peakLive = live;
      rssAtPeakLive = watch.peakRss();
    }
  });
  const watched = await watch.stop();
  printResults({
    results,
    watched,
    rssBefore,
    peakLive,
    rssAtPeakLive,
    replies: REPLIES,
    oneRequest: chatRouterHas('sendAndStream'),
    settings: `${FOLLOWERS} follower processes, ${WORDS} words ${DELAY_MS} ms apart, started over ${RAMP_MS / 1000} s, MAX_CONCURRENT_GENERATIONS=MAX_STREAMS_PER_USER=${LIMIT} with ${Math.ceil(REPLIES / PER_USER)} users`,
  });
}
