// A reply's final write (replies/final-write.ts): retried while the database does not answer, for a bounded time;
// retried for as long as it takes while the pool is full (the database answers, other writes are ahead); any other
// error at once. The errors are the ones the database layer really throws, wrapped as drizzle wraps them.
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { untilWritten } from '../src/modules/replies/final-write.ts';
import { PoolAcquireTimeoutError } from '../src/shared/db/client.ts';

const poolFull = () =>
  new DrizzleQueryError(
    'update "message" set …',
    [],
    new PoolAcquireTimeoutError('no database connection took the query'),
  );
const refused = () =>
  new DrizzleQueryError(
    'update "message" set …',
    [],
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  );

/** A write that fails with the given errors, in turn, then succeeds; counts its attempts. */
function writeFailing(errors: Error[]) {
  let attempts = 0;
  return {
    write: async () => {
      const error = errors[attempts++];
      if (error) throw error;
      return 'stored';
    },
    attempts: () => attempts,
  };
}

describe('what works', () => {
  it('waits out a full pool however many attempts it takes, without using the outage budget', async () => {
    const fails = writeFailing(Array.from({ length: 12 }, poolFull));
    await expect(untilWritten(fails.write, { outageMs: [], busyMs: 1 })).resolves.toBe('stored');
    expect(fails.attempts()).toBe(13);
  });

  it('waits out a short outage within its budget', async () => {
    const fails = writeFailing([refused(), refused()]);
    await expect(untilWritten(fails.write, { outageMs: [1, 1], busyMs: 1 })).resolves.toBe('stored');
    expect(fails.attempts()).toBe(3);
  });
});

describe('what fails, and how', () => {
  it('an outage longer than the budget: the error stands', async () => {
    const fails = writeFailing([refused(), poolFull(), refused(), refused()]);
    await expect(untilWritten(fails.write, { outageMs: [1, 1], busyMs: 1 })).rejects.toThrow(DrizzleQueryError);
    expect(fails.attempts()).toBe(4);
  });

  it('any other error (a bug, a constraint) is thrown at once', async () => {
    const fails = writeFailing([new TypeError('not a database fault')]);
    await expect(untilWritten(fails.write, { outageMs: [1], busyMs: 1 })).rejects.toThrow(TypeError);
    expect(fails.attempts()).toBe(1);
  });
});
