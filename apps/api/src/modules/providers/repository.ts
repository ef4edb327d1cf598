// Provider rows, always scoped by user_id.
import { and, asc, eq, gt, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { chat, preferences, provider } from '../../shared/db/schema/index.ts';

export type ProviderRow = typeof provider.$inferSelect;
export type NewProviderRow = typeof provider.$inferInsert;
export type ProviderPatch = Partial<Omit<NewProviderRow, 'id' | 'userId' | 'kind' | 'createdAt'>>;

export async function insertProvider(db: Db, row: NewProviderRow): Promise<ProviderRow> {
  const [inserted] = await db.insert(provider).values(row).returning();
  return inserted as ProviderRow;
}

export function findProviders(db: Db, userId: string): Promise<ProviderRow[]> {
  return db
    .select()
    .from(provider)
    .where(eq(provider.userId, userId))
    .orderBy(asc(provider.createdAt), asc(provider.id));
}

export async function findProvider(db: Db, userId: string, id: string): Promise<ProviderRow | undefined> {
  const [row] = await db
    .select()
    .from(provider)
    .where(and(eq(provider.userId, userId), eq(provider.id, id)));
  return row;
}

export async function updateProvider(
  db: Db,
  userId: string,
  id: string,
  patch: ProviderPatch,
): Promise<ProviderRow | undefined> {
  const [row] = await db
    .update(provider)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(provider.userId, userId), eq(provider.id, id)))
    .returning();
  return row;
}

/** Makes `id` the user's default provider unless one is set (the first provider a user adds becomes the default). */
export async function claimDefault(db: Db, userId: string, id: string): Promise<void> {
  const now = new Date();
  await db
    .insert(preferences)
    .values({ userId, defaultProviderId: id, updatedAt: now })
    .onConflictDoUpdate({
      target: preferences.userId,
      set: { defaultProviderId: id, updatedAt: now },
      setWhere: isNull(preferences.defaultProviderId),
    });
}

/**
 * Deletes a provider; the chats that used it get a notice (they go on with the default). When it was the user's default, the oldest remaining provider becomes the default (with its own
 * default model), or none is left. One transaction: the preferences row is locked while the choice is made.
 */
export async function deleteProvider(db: Db, userId: string, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [prefs] = await tx
      .select({ defaultProviderId: preferences.defaultProviderId })
      .from(preferences)
      .where(eq(preferences.userId, userId))
      .for('update');
    // Chats on it go on with the default provider (the foreign key clears theirs): they say so.
    await tx
      .update(chat)
      .set({
        notice: sql`'Provider "' || (select p.name from ${provider} p where p.id = ${id} and p.user_id = ${userId})
          || '" was deleted: this chat goes on with your default provider.'`,
      })
      .where(and(eq(chat.userId, userId), eq(chat.providerId, id)));
    const rows = await tx
      .delete(provider)
      .where(and(eq(provider.userId, userId), eq(provider.id, id)))
      .returning({ id: provider.id });
    if (rows.length > 0 && prefs?.defaultProviderId === id) {
      await tx
        .update(preferences)
        .set({
          defaultProviderId: sql`(select p.id from ${provider} p where p.user_id = ${userId}
            order by p.created_at, p.id limit 1)`,
          defaultModel: null,
          updatedAt: new Date(),
        })
        .where(eq(preferences.userId, userId));
    }
    return rows.length > 0;
  });
}

/** Rows whose key is encrypted under another key than `keyId`, in id order after `afterId` (for rotation). */
export function findKeysNotUnder(db: Db, keyId: string, afterId: string, limit: number) {
  return db
    .select({
      id: provider.id,
      userId: provider.userId,
      keyCiphertext: provider.keyCiphertext,
      keyIv: provider.keyIv,
      keyTag: provider.keyTag,
      keyId: provider.keyId,
    })
    .from(provider)
    .where(and(isNotNull(provider.keyId), ne(provider.keyId, keyId), gt(provider.id, afterId)))
    .orderBy(asc(provider.id))
    .limit(limit);
}

/** Replaces a row's encrypted key only if it is still the one read (a user's concurrent update wins). */
export async function replaceKeyIfUnchanged(
  db: Db,
  id: string,
  expectedCiphertext: string,
  next: Pick<ProviderRow, 'keyCiphertext' | 'keyIv' | 'keyTag' | 'keyId'>,
): Promise<boolean> {
  const rows = await db
    .update(provider)
    .set(next)
    .where(and(eq(provider.id, id), eq(provider.keyCiphertext, expectedCiphertext)))
    .returning({ id: provider.id });
  return rows.length > 0;
}

export function countKeysNotUnder(db: Db, keyId: string): Promise<number> {
  return db.$count(provider, and(isNotNull(provider.keyId), ne(provider.keyId, keyId)));
}
