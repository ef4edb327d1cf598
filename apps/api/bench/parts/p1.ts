// P1: a signed-out trivial tRPC query over HTTP (auth.getSession without credentials) against a raw Fastify route
// answering the same JSON. Target ≥ 0.6×.
import { queryUrl } from '../lib/accounts.ts';
import { compareThroughput, describeRounds } from '../lib/load.ts';
import { note, printLine, rate, times } from '../lib/report.ts';
import { startStack } from '../lib/stack.ts';

export async function p1() {
  const { product, raw } = await startStack({ raw: true });
  if (!raw) throw new Error('no baseline');
  const result = await compareThroughput(
    { url: `${raw.base}/raw/trivial` },
    { url: queryUrl(product.base, 'auth.getSession') },
  );
  printLine({
    id: 'P1',
    what: 'signed-out trivial query (GET /trpc/auth.getSession) vs raw Fastify',
    baseline: rate(result.baseline),
    figure: rate(result.figure),
    ratio: times(result.ratio),
    target: '≥ 0.60×',
    met: result.ratio >= 0.6,
  });
  note(describeRounds(result));
}
