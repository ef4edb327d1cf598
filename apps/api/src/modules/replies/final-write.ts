// A reply's final write must not be lost to a database that is briefly down or a pool that is briefly full. The
// write stores the whole text by a compare-and-set from `streaming`, so running it again is harmless.
import { databaseCauseCode, isDatabaseUnavailable } from '../../shared/lib/errors.ts';

/** Waits between attempts while the database does not answer: about 30 s in all, then the error stands. */
export const OUTAGE_RETRY_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];

/** Wait between attempts while the pool is full (POOL_ACQUIRE_TIMEOUT), with up to as much again at random. */
export const BUSY_RETRY_MS = 250;

/**
 * Runs `write` until it succeeds. A database that does not answer uses up the outage budget (`outageMs`); a pool
 * whose connections are all busy (POOL_ACQUIRE_TIMEOUT: the database answers, other writes are ahead) does not:
 * the write waits its turn however long the queue is. Under load, thousands of replies end within seconds, and a
 * reply whose final write gave up was closed later by the lease sweep as `interrupted` (P3b at load 3–6 lost 59
 * endings that way). Any other error is thrown at once.
 */
export async function untilWritten<T>(
  write: () => Promise<T>,
  { outageMs = OUTAGE_RETRY_MS, busyMs = BUSY_RETRY_MS } = {},
): Promise<T> {
  let outages = 0;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const busy = databaseCauseCode(error) === 'POOL_ACQUIRE_TIMEOUT';
      if (!busy && outages >= outageMs.length) throw error;
      const wait = busy ? busyMs * (1 + Math.random()) : (outageMs[outages++] ?? 0);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
