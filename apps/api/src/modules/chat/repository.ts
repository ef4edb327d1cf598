// Chat and message rows, always scoped by user_id.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { descNullsLast, perDatabase } from '../../shared/db/prepared.ts';
import { chat, message } from '../../shared/db/schema/index.ts';

export type ChatRow = typeof chat.$inferSelect;
export type ChatPatch = Partial<Pick<ChatRow, 'title' | 'providerId' | 'model' | 'systemPrompt' | 'notice'>>;

export async function insertChat(db: Db, row: typeof chat.$inferInsert): Promise<ChatRow> {
  const [inserted] = await db.insert(chat).values(row).returning();
  return inserted as ChatRow;
}

export async function findChat(db: Db, userId: string, id: string): Promise<ChatRow | undefined> {
  const [row] = await db
    .select()
    .from(chat)
    .where(and(eq(chat.userId, userId), eq(chat.id, id)));
  return row;
}

const p = sql.placeholder;

/** chat.list's statement, built once per database (no query building per request): cursor and search are optional. */
const listStatement = perDatabase((db) =>
  db
    .select()
    .from(chat)
    .where(
      and(
        eq(chat.userId, p('userId')),
        sql`(${p('afterTime')}::timestamptz is null or (${chat.updatedAt}, ${chat.id}) < (${p('afterTime')}::timestamptz, ${p('afterId')}::text))`,
        sql`(${p('pattern')}::text is null or ${chat.title} ilike ${p('pattern')}::text)`,
      ),
    )
    .orderBy(descNullsLast(chat.updatedAt), descNullsLast(chat.id))
    .limit(p('limit'))
    .prepare('parley_chat_list'),
);

/** A page of chats, most recently updated first; `after` is the last row of the previous page. */
export function findChats(
  db: Db,
  userId: string,
  options: { limit: number; after?: { updatedAt: Date; id: string }; search?: string },
) {
  const { after, search, limit } = options;
  return listStatement(db).execute({
    userId,
    limit,
    afterTime: after ? after.updatedAt.toISOString() : null,
    afterId: after?.id ?? null,
    pattern: search ? `%${search.replace(/[\\%_]/g, '\\$&')}%` : null,
  });
}

export async function updateChat(db: Db, userId: string, id: string, patch: ChatPatch & { updatedAt?: Date }) {
  const [row] = await db
    .update(chat)
    .set({ updatedAt: new Date(), ...patch })
    .where(and(eq(chat.userId, userId), eq(chat.id, id)))
    .returning();
  return row;
}

/** Sets a title only if the chat still has none (a user's own title wins over a generated one). */
export async function setTitleIfUnset(db: Db, id: string, title: string): Promise<void> {
  await db
    .update(chat)
    .set({ title })
    .where(and(eq(chat.id, id), sql`${chat.title} is null`));
}

export async function deleteChat(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(chat)
    .where(and(eq(chat.userId, userId), eq(chat.id, id)))
    .returning({ id: chat.id });
  return rows.length > 0;
}

/** A page of a chat's messages, newest first; `beforeSeq` is the seq of the last message of the previous page. */
export function findMessages(db: Db, userId: string, chatId: string, options: { limit: number; beforeSeq?: number }) {
  return db
    .select()
    .from(message)
    .where(
      and(
        eq(message.userId, userId),
        eq(message.chatId, chatId),
        options.beforeSeq !== undefined ? lt(message.seq, options.beforeSeq) : undefined,
      ),
    )
    .orderBy(descNullsLast(message.seq))
    .limit(options.limit);
}

export function findAllChats(db: Db, userId: string) {
  return db.select().from(chat).where(eq(chat.userId, userId)).orderBy(chat.createdAt, chat.id);
}

export function findAllMessages(db: Db, userId: string) {
  return db.select().from(message).where(eq(message.userId, userId)).orderBy(message.seq);
}
