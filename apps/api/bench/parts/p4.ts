// P4: one user with 1 k messages against one with 1 M (seeded with SQL): p99 of chat.list, a page of chat.messages,
// a page of chat.history (the path to the chat's leaf) and users.usage at both sizes, measured by sequential calls
// from another process in interleaved rounds; then the streamed export's memory and account deletion at the large
// size. Targets: p99 within 2×; export < 64 MiB growth; deletion ≤ 1 s.
import { type Account, queryUrl, signUp } from '../lib/accounts.ts';
import { ROUNDS } from '../lib/load.ts';
import { runWorker } from '../lib/processes.ts';
import { startProduct } from '../lib/product.ts';
import { ms, note, percentile, printLine, times } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';
import { measureDeletion, measureExport } from './p4-export.ts';
import { type Seeded, seedMessages } from './p4-seed.ts';

const LARGE = Number(process.env.BENCH_P4_MESSAGES ?? 1_000_000);
const SMALL = Number(process.env.BENCH_P4_SMALL ?? 1000);
const SECONDS = Number(process.env.BENCH_P4_SECONDS ?? 3);
const CHATS = 20;

interface Sized {
  account: Account;
  seeded: Seeded;
}

const QUERIES: { name: string; url: (base: string, s: Sized) => string }[] = [
  { name: 'chat.list (20)', url: (base) => queryUrl(base, 'chat.list', { limit: 20 }) },
  {
    name: 'chat.messages page (20) of a chat',
    url: (base, s) => queryUrl(base, 'chat.messages', { chatId: s.seeded.chatIds[0], limit: 20 }),
  },
  {
    name: 'chat.history page (20) of a chat',
    url: (base, s) => queryUrl(base, 'chat.history', { chatId: s.seeded.chatIds[0], limit: 20 }),
  },
  { name: 'users.usage', url: (base) => queryUrl(base, 'users.usage', {}) },
];

async function latencies(base: string, small: Sized, large: Sized) {
  const samples = QUERIES.map(() => ({ small: [] as number[], large: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, query] of QUERIES.entries()) {
      for (const size of ['small', 'large'] as const) {
        const sized = size === 'small' ? small : large;
        const input = {
          url: query.url(base, sized),
          headers: { cookie: sized.account.cookie },
          seconds: SECONDS,
          minCalls: 5,
        };
        const { times: t } = await runWorker<{ times: number[] }>('latency', input);
        samples[i]?.[size].push(...t);
      }
    }
  }
  return samples;
}

async function checkUsage(base: string, sized: Sized) {
  const response = await fetch(queryUrl(base, 'users.usage', {}), { headers: { cookie: sized.account.cookie } });
  const body = (await response.json()) as { result?: { data: { json: { totals: { messages: number } } } } };
  const counted = body.result?.data.json.totals.messages;
  if (counted !== sized.seeded.assistantMessages) {
    note(
      `users.usage counts ${counted} replies for a user with ${sized.seeded.assistantMessages}: its figure is not comparable`,
    );
  }
}

export async function p4() {
  const { product, database } = await startStack();
  const seed = async (messages: number, tag: string): Promise<Sized> => {
    const account = await signUp(product.base, tag);
    return {
      account,
      seeded: await seedMessages(database.sql, { userId: account.userId, tag, messages, chats: CHATS }),
    };
  };
  const seedStarted = performance.now();
  const small = await seed(SMALL, 'p4small');
  const large = await seed(LARGE, 'p4large');
  note(
    `seeded ${SMALL} and ${LARGE} messages over ${CHATS} chats each in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`,
  );
  await checkUsage(product.base, small);
  await checkUsage(product.base, large);

  const samples = await latencies(product.base, small, large);
  for (const [i, query] of QUERIES.entries()) {
    const s = samples[i] ?? { small: [], large: [] };
    const a = percentile(s.small, 99);
    const b = percentile(s.large, 99);
    printLine({
      id: 'P4',
      what: `${query.name} p99, ${SMALL} vs ${LARGE} messages (${s.small.length}/${s.large.length} calls)`,
      baseline: ms(a),
      figure: ms(b),
      ratio: times(b / a),
      target: '≤ 2.00×',
      met: b / a <= 2,
    });
  }
  await measureExport(product.base, product.pid, large.account);
  let base = product.base;
  if (product.started.child.exitCode !== null || product.started.child.signalCode !== null) {
    note('the server died during the export; started again for the deletion');
    base = (await startProduct({ databaseUrl: database.url })).base;
  }
  await measureDeletion(base, large.account, LARGE);
}
