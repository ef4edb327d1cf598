// Account deletion in two steps, so it answers at once however much the account holds. In the request, one
// transaction ends every way in (sessions, API keys, credentials), frees the email for a new sign-up and marks the
// user as being deleted. Then the rows go in the background, in batches (messages, chats, then the user row, whose
// cascades take the rest). A process that stops midway leaves the mark: the next start finishes the job.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import { account, apikey, chat, message, session, user, verification } from '../../shared/db/schema/index.ts';

/** Rows deleted per statement: small enough not to hold locks (or PGlite's one connection) for long. */
const BATCH = 1_000;

type Log = Pick<FastifyBaseLogger, 'info' | 'warn'>;

export interface AccountDeletionDeps {
  db: Db;
  log: Log;
}

/** Ends every session, API key and credential of the user, frees the email, and marks the account as being deleted. */
export async function markAccountDeleted(db: Db, userId: string, email: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(session).where(eq(session.userId, userId));
    await tx.delete(apikey).where(eq(apikey.referenceId, userId));
    await tx.delete(account).where(eq(account.userId, userId));
    await tx.delete(verification).where(eq(verification.identifier, email));
    const now = new Date();
    // `.invalid` is reserved (RFC 2606): the placeholder can never be a real address, and stays unique by the id.
    await tx
      .update(user)
      .set({ email: `deleted-${userId}@deleted.invalid`, deletingAt: now, updatedAt: now })
      .where(eq(user.id, userId));
  });
}

interface Queue {
  pending: Set<string>;
  tail: Promise<void>;
  stopping: boolean;
}

// One queue per database: deletions run one after another, in the background of the process that owns that db.
const queues = new WeakMap<Db, Queue>();

function queueOf(db: Db): Queue {
  let queue = queues.get(db);
  if (!queue) {
    queue = { pending: new Set(), tail: Promise.resolve(), stopping: false };
    queues.set(db, queue);
  }
  return queue;
}

/** Queues the background deletion of a marked account's rows (once, however often it is asked). */
export function purgeAccountInBackground({ db, log }: AccountDeletionDeps, userId: string): void {
  const queue = queueOf(db);
  if (queue.pending.has(userId) || queue.stopping) return;
  queue.pending.add(userId);
  queue.tail = queue.tail
    .then(() => purgeAccount(db, userId, queue))
    .then(
      (done) => log.info({ userId, done }, done ? 'account deleted' : 'account deletion paused until the next start'),
      (error: unknown) => log.warn({ err: error, userId }, 'account deletion interrupted; the next start resumes it'),
    )
    .finally(() => queue.pending.delete(userId));
}

/** Deletes a marked account's rows in batches; false when stopped before the end. */
async function purgeAccount(db: Db, userId: string, queue: Queue): Promise<boolean> {
  for (const table of [message, chat] as const) {
    for (;;) {
      if (queue.stopping) return false;
      // In index order ((user_id, created_at) on both): a plain scan would walk the dead rows of every earlier
      // batch again, and the user owning most of the table makes the planner choose exactly that.
      const batch = db
        .select({ id: table.id })
        .from(table)
        .where(eq(table.userId, userId))
        .orderBy(table.createdAt)
        .limit(BATCH);
      const gone = await db.delete(table).where(inArray(table.id, batch)).returning({ id: table.id });
      if (gone.length < BATCH) break;
    }
  }
  // Only a marked user: a slow queue can never delete an account whose deletion was not asked for.
  await db.delete(user).where(and(eq(user.id, userId), isNotNull(user.deletingAt)));
  return true;
}

/**
 * At start: finishes every deletion a stopped process left unfinished, in the background. Returns how many.
 * Safe on several servers at once (each batch deletes what is left; the user row goes last).
 */
export async function resumeAccountDeletions(deps: AccountDeletionDeps): Promise<number> {
  const marked = await deps.db.select({ id: user.id }).from(user).where(isNotNull(user.deletingAt));
  for (const { id } of marked) purgeAccountInBackground(deps, id);
  if (marked.length > 0) deps.log.warn({ accounts: marked.length }, 'resuming account deletions left unfinished');
  return marked.length;
}

/** Resolves when no deletion is queued or running (tests; a shutdown that wants to wait). */
export async function accountDeletionsSettled(db: Db): Promise<void> {
  const queue = queueOf(db);
  let tail: Promise<void> | undefined;
  while (tail !== queue.tail) {
    tail = queue.tail;
    await tail;
  }
}

/** Stops after the running batch (shutdown): what is left is resumed by the next start. */
export async function stopAccountDeletions(db: Db): Promise<void> {
  const queue = queueOf(db);
  queue.stopping = true;
  await accountDeletionsSettled(db);
}
