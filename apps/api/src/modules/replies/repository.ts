// The rows a reply reads and writes. Hot statements are prepared once (no query building per reply), and a reply's
// start reads everything it needs with statements that run side by side on the pool: one round trip.
import { and, eq, lt, notInArray, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../shared/db/client.ts';
import { perDatabase } from '../../shared/db/prepared.ts';
import { chat, message, preferences, provider, spendLimit } from '../../shared/db/schema/index.ts';

export type MessageRow = typeof message.$inferSelect;
export type NewMessageRow = typeof message.$inferInsert;
export type ChatRow = typeof chat.$inferSelect;

/** Statements built once per database. */
export const replyStatements = perDatabase((db) => {
  const p = sql.placeholder;
  return {
    /**
     * The chat, the user's preferences and the provider the reply will use (the one named in the call, else the
     * chat's, else the default, else the oldest) and the user's spend cap, in one statement.
     */
    context: db
      .select({
        chat,
        provider,
        systemPrompt: preferences.systemPrompt,
        defaultProviderId: preferences.defaultProviderId,
        defaultModel: preferences.defaultModel,
        // The user's spend cap, when one is set for them (else the configured default applies). Flat columns: Drizzle
        // turns a left-joined nested object into null when its first column is null.
        capPeriod: spendLimit.period,
        capAdminMaxTokens: spendLimit.adminMaxTokens,
        capUserMaxTokens: spendLimit.userMaxTokens,
      })
      .from(chat)
      .leftJoin(preferences, eq(preferences.userId, chat.userId))
      .leftJoin(spendLimit, eq(spendLimit.userId, chat.userId))
      .leftJoin(
        provider,
        and(
          eq(provider.userId, chat.userId),
          eq(
            provider.id,
            // Named by the call, the chat, the user's default; else the user's oldest provider (NO_PROVIDER only
            // for a user without any).
            sql`coalesce(${p('providerId')}::text, ${chat.providerId}, ${preferences.defaultProviderId},
              (select o.id from ${provider} o where o.user_id = ${chat.userId} order by o.created_at, o.id limit 1))`,
          ),
        ),
      )
      .where(and(eq(chat.id, p('chatId')), eq(chat.userId, p('userId'))))
      .prepare('parley_reply_context'),
    sent: db
      .select()
      .from(message)
      .where(and(eq(message.userId, p('userId')), eq(message.clientRequestId, p('clientRequestId'))))
      .prepare('parley_reply_sent'),
  };
});

export type ReplyStatements = ReturnType<typeof replyStatements>;

export type HistoryRow = Pick<MessageRow, 'id' | 'seq' | 'parentId' | 'role' | 'text' | 'status'>;

/**
 * The path from a message up towards the root of its chat, newest first, at most `limit` messages: what a model reads
 * before a new message. The start is `parentId` when given, else the chat's current leaf (or its newest message when
 * the leaf is unset or gone). Each step is one primary-key lookup: the rest of the chat (other branches) is not read.
 * Empty when the chat has no messages, is not the user's, or `parentId` is not a message of the chat.
 */
export async function findPath(
  db: Db,
  options: { userId: string; chatId: string; parentId: string | undefined; limit: number },
): Promise<HistoryRow[]> {
  const { userId, chatId, parentId, limit } = options;
  const result = await db.execute(sql`
    with recursive anchor as (
      select coalesce(${parentId ?? null}::text,
        (select l.id from ${message} l where l.id = c.current_leaf_id and l.chat_id = c.id),
        (select n.id from ${message} n where n.chat_id = c.id order by n.seq desc nulls last limit 1)) as id
      from ${chat} c where c.id = ${chatId} and c.user_id = ${userId}
    ), path as (
      select m.id, m.seq, m.parent_id, m.role, m.text, m.status, 1 as depth
      from anchor a join ${message} m on m.id = a.id
      where m.chat_id = ${chatId} and m.user_id = ${userId}
      union all
      select m.id, m.seq, m.parent_id, m.role, m.text, m.status, p.depth + 1
      from path p join ${message} m on m.id = p.parent_id
      where p.depth < ${limit}::int
    )
    select id, seq, parent_id as "parentId", role, text, status from path order by depth`);
  return rowsOf<HistoryRow>(result).map((row) => ({ ...row, seq: Number(row.seq) }));
}

/**
 * Stores a question and its reply (or a reply alone), marks the chat as just updated (at the rows' time, in
 * milliseconds like every cursor) and moves its current leaf to the last row, in one statement; nothing
 * is stored unless the chat is the user's. A second send with the same clientRequestId fails on its unique index.
 * Two sends racing on one parent both store their rows (siblings); the leaf ends on the one that commits last.
 */
export async function insertMessages(db: Db, userId: string, chatId: string, rows: NewMessageRow[]) {
  const inserted = await db.execute<{ id: string }>(sql`
    with owned as (
      update ${chat} set updated_at = ${iso(rows[0]?.createdAt)}::timestamptz, current_leaf_id = ${rows.at(-1)?.id ?? null}
      where ${chat.id} = ${chatId} and ${chat.userId} = ${userId} returning id
    )
    insert into ${message} (id, user_id, chat_id, parent_id, role, parts, text, status, provider_id, model,
      client_request_id, created_at, updated_at)
    select v.* from (values ${sql.join(
      rows.map(
        (
          r,
        ) => sql`(${r.id}, ${userId}, ${chatId}, ${r.parentId ?? null}, ${r.role}, ${JSON.stringify(r.parts ?? [])}::jsonb,
          ${r.text ?? ''}, ${r.status}, ${r.providerId ?? null}, ${r.model ?? null}, ${r.clientRequestId ?? null},
          ${iso(r.createdAt)}::timestamptz, ${iso(r.updatedAt ?? r.createdAt)}::timestamptz)`,
      ),
      sql`, `,
    )}) as v where exists (select 1 from owned)
    returning id`);
  return rowsOf(inserted).length;
}

/** Dates as parameters of raw SQL: postgres.js takes no Date where it was told a type. */
const iso = (date: Date | undefined) => (date ?? new Date()).toISOString();

export async function findMessage(db: Db, userId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(message)
    .where(and(eq(message.userId, userId), eq(message.id, id)));
  return row;
}

/** The first reply to a message (the one created with it by chat.send). */
export async function findFirstReply(db: Db, question: MessageRow): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(message)
    .where(
      and(eq(message.userId, question.userId), eq(message.chatId, question.chatId), eq(message.parentId, question.id)),
    )
    .orderBy(message.seq)
    .limit(1);
  return row;
}

export interface Append {
  id: string;
  /** Bytes of text the row holds now (UTF-8): the append applies only if the row is where this process left it. */
  fromBytes: number;
  text: string;
}

/**
 * One checkpoint of every live reply in one statement: each gets what is new of its text appended (an empty append is
 * a heartbeat). Returns the ids that were written; a reply whose row was not where expected is not among them.
 */
export async function appendTexts(db: Db, appends: Append[]): Promise<Set<string>> {
  if (appends.length === 0) return new Set();
  // One JSON parameter carries the batch: the same on postgres.js and PGlite, and no list of parameters per row.
  const batch = JSON.stringify(appends.map((a) => ({ id: a.id, from_bytes: a.fromBytes, delta: a.text })));
  const result = await db.execute<{ id: string }>(sql`
    update ${message} as m set text = m.text || v.delta, updated_at = now()
    from jsonb_to_recordset(${batch}::jsonb) as v(id text, from_bytes int, delta text)
    where m.id = v.id and m.status = 'streaming' and octet_length(m.text) = v.from_bytes
    returning m.id`);
  return new Set(rowsOf<{ id: string }>(result).map((r) => r.id));
}

/** Writes a live reply's whole text (when an append found the row elsewhere than expected). */
export async function rewriteText(db: Db, id: string, text: string): Promise<void> {
  await db
    .update(message)
    .set({ text, updatedAt: new Date() })
    .where(and(eq(message.id, id), eq(message.status, 'streaming')));
}

/** The final write of a reply: its whole text, parts, status and usage; only while it is still streaming. */
export async function finishMessage(db: Db, id: string, patch: Partial<MessageRow>) {
  const [row] = await db
    .update(message)
    .set({ updatedAt: new Date(), ...patch })
    .where(and(eq(message.id, id), eq(message.status, 'streaming')))
    .returning();
  return row;
}

/**
 * Closes replies left streaming by a process that died (no heartbeat since `before`), keeping their text; not those in
 * `except` (this server's own live replies). A compare-and-set: a reply closed by two servers at once is closed once.
 */
export async function closeStaleStreaming(db: Db, before: Date, reason: string, except: string[] = []) {
  return db
    .update(message)
    .set({
      status: 'error',
      error: reason,
      parts: sql`case when ${message.text} = '' then '[]'::jsonb
        else jsonb_build_array(jsonb_build_object('type', 'text', 'text', ${message.text})) end`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(message.status, 'streaming'),
        lt(message.updatedAt, before),
        except.length > 0 ? notInArray(message.id, except) : undefined,
      ),
    )
    .returning();
}

/**
 * Stops a reply no server is writing (its owner did not answer a stop): a compare-and-set from `streaming`, keeping
 * the text its checkpoints wrote. Undefined when it had already ended.
 */
export async function stopUnowned(db: Db, userId: string, id: string) {
  const [row] = await db
    .update(message)
    .set({
      status: 'stopped',
      finishReason: 'stop',
      parts: sql`case when ${message.text} = '' then '[]'::jsonb
        else jsonb_build_array(jsonb_build_object('type', 'text', 'text', ${message.text})) end`,
      updatedAt: new Date(),
    })
    .where(and(eq(message.id, id), eq(message.userId, userId), eq(message.status, 'streaming')))
    .returning();
  return row;
}
