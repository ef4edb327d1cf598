// Spend rows: caps, what each period has used and holds reserved, and one reservation per live reply. The cap is
// held by one conditional UPDATE of the period's row: concurrent sends queue on that row's lock, and each re-checks
// the condition against the row as the previous one left it, so together they can never pass the cap.
import { and, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../shared/db/client.ts';
import { spendLimit, spendPeriod, spendReservation, usageDaily } from '../../shared/db/schema/index.ts';

export type Period = 'day' | 'month';
export type LimitRow = typeof spendLimit.$inferSelect;
export interface PeriodKey {
  userId: string;
  period: Period;
  startsAt: Date;
}

export async function findLimit(db: Db, userId: string): Promise<LimitRow | undefined> {
  const [row] = await db.select().from(spendLimit).where(eq(spendLimit.userId, userId));
  return row;
}

export async function upsertLimit(db: Db, userId: string, patch: Partial<Omit<LimitRow, 'userId' | 'updatedAt'>>) {
  const now = new Date();
  const [row] = await db
    .insert(spendLimit)
    .values({ userId, ...patch, updatedAt: now })
    .onConflictDoUpdate({ target: spendLimit.userId, set: { ...patch, updatedAt: now } })
    .returning();
  return row as LimitRow;
}

export async function findPeriod(db: Db, key: PeriodKey) {
  const [row] = await db
    .select()
    .from(spendPeriod)
    .where(
      and(
        eq(spendPeriod.userId, key.userId),
        eq(spendPeriod.period, key.period),
        eq(spendPeriod.startsAt, key.startsAt),
      ),
    );
  return row;
}

/** Tokens the user's finished replies used since `startsAt` (the usage rollups, whole UTC days). */
export async function usedSince(db: Db, userId: string, startsAt: Date): Promise<number> {
  const [row] = await db
    .select({ used: sql<string>`coalesce(sum(${usageDaily.inputTokens} + ${usageDaily.outputTokens}), 0)` })
    .from(usageDaily)
    .where(
      and(
        eq(usageDaily.userId, userId),
        sql`${usageDaily.day} >= (${startsAt.toISOString()}::timestamptz at time zone 'UTC')::date`,
      ),
    );
  return Number(row?.used ?? 0);
}

/** The period's row, made when missing with what the rollups say was used so far (a cap set mid-period counts it). */
export async function ensurePeriod(db: Db, key: PeriodKey): Promise<void> {
  const startsAt = key.startsAt.toISOString();
  await db.execute(sql`
    insert into ${spendPeriod} (user_id, period, starts_at, used_tokens, reserved_tokens)
    select ${key.userId}, ${key.period}, ${startsAt}::timestamptz,
      coalesce(sum(u.input_tokens + u.output_tokens), 0), 0
    from ${usageDaily} u
    where u.user_id = ${key.userId} and u.day >= (${startsAt}::timestamptz at time zone 'UTC')::date
    on conflict do nothing`);
}

/** Adds `tokens` to the period's reservations if used + reserved + tokens stays within `max`; false when not. */
export async function reserve(db: Db, key: PeriodKey, tokens: number, max: number): Promise<boolean> {
  const rows = await db
    .update(spendPeriod)
    .set({ reservedTokens: sql`${spendPeriod.reservedTokens} + ${tokens}` })
    .where(
      and(
        eq(spendPeriod.userId, key.userId),
        eq(spendPeriod.period, key.period),
        eq(spendPeriod.startsAt, key.startsAt),
        sql`${spendPeriod.usedTokens} + ${spendPeriod.reservedTokens} + ${tokens} <= ${max}`,
      ),
    )
    .returning({ userId: spendPeriod.userId });
  return rows.length > 0;
}

export async function insertReservation(db: Db, key: PeriodKey, messageId: string, tokens: number) {
  await db.insert(spendReservation).values({ ...key, messageId, tokens, createdAt: new Date() });
}

/**
 * Ends a reply's reservation: the reserved tokens go back and `used` tokens are counted, once (the reservation row is
 * deleted in the same statement, so a second settle, or the sweep after this, finds nothing).
 */
export async function settle(db: Db, messageId: string, used: number): Promise<void> {
  await db.execute(sql`
    with r as (delete from ${spendReservation} where message_id = ${messageId}
      returning user_id, period, starts_at, tokens)
    update ${spendPeriod} p set reserved_tokens = p.reserved_tokens - r.tokens, used_tokens = p.used_tokens + ${used}
    from r where p.user_id = r.user_id and p.period = r.period and p.starts_at = r.starts_at`);
}

/**
 * Settles the user's reservations that were left behind, with the tokens their reply recorded; returns how many. A
 * reply's reservation is left behind when it is older than `before` and the reply is no longer streaming (it ended
 * and was never settled, or its server died and the reply was closed). A reservation with no message row (a gateway
 * call, which stores none; or a reply whose chat was deleted) is only taken as left behind after `orphansBefore`:
 * a live gateway call has no row that says it is live.
 */
export async function releaseStale(db: Db, userId: string, before: Date, orphansBefore: Date): Promise<number> {
  const result = await db.execute(sql`
    with dead as (
      delete from ${spendReservation} r
      where r.user_id = ${userId} and (
        (r.created_at < ${before.toISOString()}::timestamptz
          and exists (select 1 from message m where m.id = r.message_id and m.status <> 'streaming'))
        or (r.created_at < ${orphansBefore.toISOString()}::timestamptz
          and not exists (select 1 from message m where m.id = r.message_id)))
      returning r.message_id, r.user_id, r.period, r.starts_at, r.tokens
    ), totals as (
      select d.user_id, d.period, d.starts_at, sum(d.tokens) as tokens,
        sum(coalesce(m.input_tokens, 0) + coalesce(m.output_tokens, 0)) as used, count(*) as n
      from dead d left join message m on m.id = d.message_id
      group by 1, 2, 3
    )
    update ${spendPeriod} p set reserved_tokens = p.reserved_tokens - t.tokens, used_tokens = p.used_tokens + t.used
    from totals t where p.user_id = t.user_id and p.period = t.period and p.starts_at = t.starts_at
    returning t.n`);
  return rowsOf<{ n: number }>(result).reduce((sum, row) => sum + Number(row.n), 0);
}
