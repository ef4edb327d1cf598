// Provider rows, always scoped by user_id.
import { and, asc, eq, gt, isNotNull, ne } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { provider } from '../../shared/db/schema/index.ts';

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

export async function deleteProvider(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(provider)
    .where(and(eq(provider.userId, userId), eq(provider.id, id)))
    .returning({ id: provider.id });
  return rows.length > 0;
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
