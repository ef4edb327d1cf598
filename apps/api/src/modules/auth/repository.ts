// Session rows. Sessions live only in the database, so deleting a row revokes it at once.
import { and, desc, eq, gt, ne } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { session } from '../../shared/db/schema/index.ts';

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
