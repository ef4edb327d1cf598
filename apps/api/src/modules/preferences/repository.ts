// The preferences row of a user (absent until first set).
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { perDatabase } from '../../shared/db/prepared.ts';
import { preferences } from '../../shared/db/schema/index.ts';

export type PreferencesRow = typeof preferences.$inferSelect;

/** Built once per database: users.me reads it on every call. */
const statement = perDatabase((db) =>
  db
    .select()
    .from(preferences)
    .where(eq(preferences.userId, sql.placeholder('userId')))
    .prepare('parley_preferences'),
);

export async function findPreferences(db: Db, userId: string): Promise<PreferencesRow | undefined> {
  const [row] = await statement(db).execute({ userId });
  return row;
}

export async function upsertPreferences(
  db: Db,
  userId: string,
  patch: Partial<Omit<PreferencesRow, 'userId' | 'updatedAt'>>,
): Promise<PreferencesRow> {
  const now = new Date();
  const [row] = await db
    .insert(preferences)
    .values({ userId, ...patch, updatedAt: now })
    .onConflictDoUpdate({ target: preferences.userId, set: { ...patch, updatedAt: now } })
    .returning();
  return row as PreferencesRow;
}
