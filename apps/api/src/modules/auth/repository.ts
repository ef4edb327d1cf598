// Session rows. Sessions live only in the database, so deleting a row revokes it at once.
import { and, desc, eq, gt, ne } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { apikey, session } from '../../shared/db/schema/index.ts';

export function findActiveSessions(db: Db, userId: string, now: Date) {
  return db
    .select({
      id: session.id,
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      ipAddress: session.ipAddress,
      userAgent: session.userAgent,
    })
    .from(session)
    .where(and(eq(session.userId, userId), gt(session.expiresAt, now)))
    .orderBy(desc(session.createdAt), desc(session.id));
}

export async function deleteSession(db: Db, userId: string, sessionId: string): Promise<number> {
  const rows = await db
    .delete(session)
    .where(and(eq(session.userId, userId), eq(session.id, sessionId)))
    .returning({ id: session.id });
  return rows.length;
}

export async function deleteOtherSessions(db: Db, userId: string, keepSessionId: string): Promise<number> {
  const rows = await db
    .delete(session)
    .where(and(eq(session.userId, userId), ne(session.id, keepSessionId)))
    .returning({ id: session.id });
  return rows.length;
}

export function findApiKeys(db: Db, userId: string) {
  return db
    .select({
      id: apikey.id,
      name: apikey.name,
      start: apikey.start,
      createdAt: apikey.createdAt,
      expiresAt: apikey.expiresAt,
      lastUsedAt: apikey.lastRequest,
    })
    .from(apikey)
    .where(eq(apikey.referenceId, userId))
    .orderBy(desc(apikey.createdAt), desc(apikey.id));
}

/** Deletes the key row: with no secondary storage the plugin reads keys from the database, so it is dead at once. */
export async function deleteApiKey(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(apikey)
    .where(and(eq(apikey.referenceId, userId), eq(apikey.id, id)))
    .returning({ id: apikey.id });
  return rows.length > 0;
}
