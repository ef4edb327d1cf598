// P1b: an authenticated trivial query (users.me), by session cookie and by API key, against a raw route that checks
// the cookie's signature (or hashes the key) and reads session and user in one indexed query, then the same data.
// Target ≥ 0.8×.
import { createApiKey, queryUrl, signUp } from '../lib/accounts.ts';
import { compareThroughput, describeRounds } from '../lib/load.ts';
import { note, printLine, rate, times } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

export async function p1b() {
  const { product, raw } = await startStack({ raw: true });
  if (!raw) throw new Error('no baseline');
  const account = await signUp(product.base);
  const key = await createApiKey(product.base, account);
  const ways: { name: string; headers: Record<string, string> }[] = [
    { name: 'cookie', headers: { cookie: account.cookie } },
    { name: 'API key', headers: { 'x-api-key': key } },
  ];
  for (const way of ways) {
    const result = await compareThroughput(
      { url: `${raw.base}/raw/me`, headers: way.headers },
      { url: queryUrl(product.base, 'users.me'), headers: way.headers },
    );
    printLine({
      id: 'P1b',
      what: `users.me by ${way.name} vs raw route (own ${way.name === 'cookie' ? 'cookie check' : 'key hash'} + one query)`,
      baseline: rate(result.baseline),
      figure: rate(result.figure),
      ratio: times(result.ratio),
      target: '≥ 0.80×',
      met: result.ratio >= 0.8,
    });
    note(describeRounds(result));
  }
}
