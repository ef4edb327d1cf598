// User rows and the queries over a user's whole history (usage, deletion).
import { and, count, desc, eq, gte, ilike, inArray, lt, lte, ne, or, sql, sum } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { message, user, verification } from '../../shared/db/schema/index.ts';

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

/** Tokens and replies by provider and model, over the user's replies created in [from, to]. */
export function usageByModel(db: Db, userId: string, from: Date | undefined, to: Date | undefined) {
  return db
    .select({
      providerId: message.providerId,
      model: message.model,
      inputTokens: sql<number>`coalesce(${sum(message.inputTokens)}, 0)::int`,
      outputTokens: sql<number>`coalesce(${sum(message.outputTokens)}, 0)::int`,
      messages: sql<number>`${count()}::int`,
    })
    .from(message)
    .where(
      and(
        eq(message.userId, userId),
        eq(message.role, 'assistant'),
        from ? gte(message.createdAt, from) : undefined,
        to ? lte(message.createdAt, to) : undefined,
      ),
    )
    .groupBy(message.providerId, message.model)
    .orderBy(message.providerId, message.model);
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

/** Deletes the user; every row the user owns goes with it through ON DELETE CASCADE. */
export async function deleteUser(db: Db, id: string, email: string): Promise<boolean> {
  await db.delete(verification).where(eq(verification.identifier, email));
  const rows = await db.delete(user).where(eq(user.id, id)).returning({ id: user.id });
  return rows.length > 0;
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
