// P4's export and deletion: GET /api/export of the large account, read to its end from outside while the server's
// resident memory is sampled; then users.deleteAccount's answer time.
import { type Account, mutate } from '../lib/accounts.ts';
import { rssOf } from '../lib/processes.ts';
import { mib, ms, printLine } from '../lib/report.ts';

/** Stops reading when the server has grown this much: the machine is shared, and the target is far below. */
const ABORT_GROWTH = 2 * 1024 ** 3;

export async function measureExport(base: string, pid: number, account: Account) {
  const before = rssOf(pid);
  let peak = before;
  const controller = new AbortController();
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
      if (peak - before > ABORT_GROWTH) controller.abort();
    } catch {
      controller.abort(); // the server is gone
    }
  }, 100);
  const started = performance.now();
  let bytes = 0;
  let outcome = 'complete';
  try {
    const response = await fetch(`${base}/api/export`, { headers: account.headers, signal: controller.signal });
    if (response.status === 404) outcome = 'no route (404)';
    else if (!response.ok) outcome = `status ${response.status}`;
    for await (const chunk of response.body ?? []) bytes += (chunk as Uint8Array).byteLength;
  } catch (error) {
    outcome = controller.signal.aborted
      ? 'aborted (server grew > 2 GiB or died)'
      : `failed: ${(error as Error).message}`;
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const growth = peak - before;
  printLine({
    id: 'P4',
    what: `GET /api/export at the large size: ${outcome}, ${mib(bytes)} in ${seconds.toFixed(1)} s`,
    baseline: '—',
    figure: `${mib(growth)} server RSS growth`,
    ratio: '—',
    target: '< 64 MiB',
    met: outcome === 'complete' && growth < 64 * 1024 ** 2,
  });
}

export async function measureDeletion(base: string, account: Account, messages: number) {
  const started = performance.now();
  const outcome = await mutate(base, account.headers, 'users.deleteAccount', { confirmEmail: account.email }).then(
    () => 'answered',
    (error: Error) => `failed: ${error.message.slice(0, 120)}`,
  );
  const took = performance.now() - started;
  printLine({
    id: 'P4',
    what: `users.deleteAccount with ${messages} messages (${outcome})`,
    baseline: '—',
    figure: ms(took),
    ratio: '—',
    target: '≤ 1000 ms',
    met: outcome === 'answered' && took <= 1000,
  });
}
