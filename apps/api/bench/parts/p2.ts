// P2: an authenticated, database-backed query — chat.list of a user with 20 chats, by session cookie — against a
// raw route doing the cookie check, the session lookup and the same SELECT (prepared). Target ≥ 0.85×.
import { createChat, queryUrl, signUp } from '../lib/accounts.ts';
import { compareThroughput, describeRounds } from '../lib/load.ts';
import { note, printLine, rate, times } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

export async function p2() {
  const { product, raw } = await startStack({ raw: true });
  if (!raw) throw new Error('no baseline');
  const account = await signUp(product.base);
  for (let i = 0; i < 20; i++) await createChat(product.base, account, { title: `chat ${i}` });
  const headers = { cookie: account.cookie };
  const result = await compareThroughput(
    { url: `${raw.base}/raw/chats`, headers },
    { url: queryUrl(product.base, 'chat.list', { limit: 20 }), headers },
  );
  printLine({
    id: 'P2',
    what: 'chat.list, 20 chats, by cookie vs raw route (same SQL, prepared)',
    baseline: rate(result.baseline),
    figure: rate(result.figure),
    ratio: times(result.ratio),
    target: '≥ 0.85×',
    met: result.ratio >= 0.85,
  });
  note(describeRounds(result));
}
