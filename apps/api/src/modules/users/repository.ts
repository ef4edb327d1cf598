// User rows and the queries over a user's whole history (usage, the export's bound). Deletion: deletion.ts.
import { and, desc, eq, gte, ilike, inArray, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { message, provider, usageDaily, user } from '../../shared/db/schema/index.ts';

export type UserRow = typeof user.$inferSelect;

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(user).where(eq(user.id, id));
  return row;
}

export async function updateUser(db: Db, id: string, patch: Partial<Pick<UserRow, 'name' | 'image' | 'role'>>) {
  const [row] = await db
    .update(user)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(user.id, id))
    .returning();
  return row;
}

/**
 * Tokens and replies by provider and model from the per-day rollups (usage_daily, kept by triggers on message) over
 * the UTC days [fromDay, toDay]. A provider deleted since is reported as null, as the replies themselves show it.
 */
export function usageByModel(db: Db, userId: string, fromDay: string | undefined, toDay: string | undefined) {
  const providerId = sql<string | null>`${provider.id}`;
  const messages = sql<number>`sum(${usageDaily.messages})`.mapWith(Number);
  return (
    db
      .select({
        providerId,
        model: usageDaily.model,
        inputTokens: sql<number>`sum(${usageDaily.inputTokens})`.mapWith(Number),
        outputTokens: sql<number>`sum(${usageDaily.outputTokens})`.mapWith(Number),
        messages,
      })
      .from(usageDaily)
      .leftJoin(provider, and(eq(provider.id, usageDaily.providerId), eq(provider.userId, usageDaily.userId)))
      .where(
        and(
          eq(usageDaily.userId, userId),
          fromDay ? gte(usageDaily.day, fromDay) : undefined,
          toDay ? lte(usageDaily.day, toDay) : undefined,
        ),
      )
      .groupBy(provider.id, usageDaily.model)
      // Groups whose replies were all deleted again sum to nothing; the replies' own count said so too.
      .having(sql`sum(${usageDaily.messages}) <> 0`)
      .orderBy(provider.id, usageDaily.model)
  );
}

/** As usageByModel, one row per UTC day, provider and model, oldest day first (users.usage grouped by day). */
export function usageByDayAndModel(db: Db, userId: string, fromDay: string | undefined, toDay: string | undefined) {
  const providerId = sql<string | null>`${provider.id}`;
  return db
    .select({
      day: usageDaily.day,
      providerId,
      model: usageDaily.model,
      inputTokens: sql<number>`sum(${usageDaily.inputTokens})`.mapWith(Number),
      outputTokens: sql<number>`sum(${usageDaily.outputTokens})`.mapWith(Number),
      messages: sql<number>`sum(${usageDaily.messages})`.mapWith(Number),
    })
    .from(usageDaily)
    .leftJoin(provider, and(eq(provider.id, usageDaily.providerId), eq(provider.userId, usageDaily.userId)))
    .where(
      and(
        eq(usageDaily.userId, userId),
        fromDay ? gte(usageDaily.day, fromDay) : undefined,
        toDay ? lte(usageDaily.day, toDay) : undefined,
      ),
    )
    .groupBy(usageDaily.day, provider.id, usageDaily.model)
    .having(sql`sum(${usageDaily.messages}) <> 0`)
    .orderBy(usageDaily.day, provider.id, usageDaily.model);
}

/** How many messages the user has, counted up to `atMost` (a bound check that never reads past it). */
export async function countMessagesUpTo(db: Db, userId: string, atMost: number): Promise<number> {
  const capped = db.select({ one: sql`1` }).from(message).where(eq(message.userId, userId)).limit(atMost).as('capped');
  const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(capped);
  return row?.n ?? 0;
}

/** A page of users, newest first, optionally matching email or name. */
export function findUsers(
  db: Db,
  options: { limit: number; after?: { createdAt: Date; id: string }; search?: string },
) {
  const { after, search, limit } = options;
  const pattern = search ? `%${search.replace(/[\\%_]/g, '\\$&')}%` : undefined;
  return db
    .select()
    .from(user)
    .where(
      and(
        after
          ? or(lt(user.createdAt, after.createdAt), and(eq(user.createdAt, after.createdAt), lt(user.id, after.id)))
          : undefined,
        pattern ? or(ilike(user.email, pattern), ilike(user.name, pattern)) : undefined,
        // An account being deleted is gone for everyone already.
        isNull(user.deletingAt),
      ),
    )
    .orderBy(desc(user.createdAt), desc(user.id))
    .limit(limit);
}

/** The admins' ids, locked until the transaction ends (two demotions at once cannot both pass the check). */
export async function lockAdmins(db: Db): Promise<string[]> {
  const rows = await db.select({ id: user.id }).from(user).where(eq(user.role, 'admin')).for('update');
  return rows.map((r) => r.id);
}

export async function promoteByEmail(db: Db, emails: string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const rows = await db
    .update(user)
    .set({ role: 'admin', updatedAt: new Date() })
    .where(and(inArray(sql`lower(${user.email})`, emails), ne(user.role, 'admin')))
    .returning({ id: user.id });
  return rows.length;
}
