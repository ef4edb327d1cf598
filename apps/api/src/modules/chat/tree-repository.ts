// A chat's tree of messages: the path from the root to a leaf, siblings, the newest leaf under a message, copies of a
// path. Each path is walked from its end by primary key (one lookup a step), so paging a long path reads only the
// page, never the chat's other branches. A child is always created after its parent: seq order is path order.
import { and, asc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../shared/db/client.ts';
import { descNullsLast } from '../../shared/db/prepared.ts';
import { chat, message } from '../../shared/db/schema/index.ts';
import type { ChatRow } from './repository.ts';

/** The message a path starts from: the chat's current leaf (its newest message when the leaf is unset or gone). */
function currentLeaf(userId: string, chatId: string): SQL {
  return sql`(select coalesce(
      (select l.id from ${message} l where l.id = c.current_leaf_id and l.chat_id = c.id),
      (select n.id from ${message} n where n.chat_id = c.id order by n.seq desc nulls last limit 1))
    from ${chat} c where c.id = ${chatId} and c.user_id = ${userId})`;
}

/** The ids on the path from `start` (an id expression) up to the root, at most `limit` of them. */
function pathIds(userId: string, chatId: string, start: SQL, limit: number): SQL {
  return sql`(with recursive path as (
      select m.id, m.parent_id, 1 as depth from ${message} m
      where m.id = ${start} and m.chat_id = ${chatId} and m.user_id = ${userId}
      union all
      select m.id, m.parent_id, p.depth + 1 from path p join ${message} m on m.id = p.parent_id
      where p.depth < ${limit}::int
    ) select id from path)`;
}

export interface PathPageOptions {
  /** The end of the path: a message of the chat; else the chat's current leaf. */
  leafId?: string;
  /** Continue above this message (the oldest of the previous page). */
  beforeId?: string;
  limit: number;
}

/**
 * Up to `limit` messages of the path to the leaf, newest first: the leaf end first, then pages towards the root.
 */
export function findPathPage(db: Db, userId: string, chatId: string, options: PathPageOptions) {
  const { leafId, beforeId, limit } = options;
  const start = beforeId
    ? sql`(select b.parent_id from ${message} b where b.id = ${beforeId} and b.chat_id = ${chatId} and b.user_id = ${userId})`
    : leafId
      ? sql`${leafId}::text`
      : currentLeaf(userId, chatId);
  return db
    .select()
    .from(message)
    .where(and(eq(message.chatId, chatId), inArray(message.id, pathIds(userId, chatId, start, limit))))
    .orderBy(descNullsLast(message.seq));
}

/** The ids of the messages under each parent (null: the chat's roots), in creation order. */
export async function findSiblings(db: Db, chatId: string, parentIds: (string | null)[]) {
  const parents = [...new Set(parentIds.filter((id): id is string => id !== null))];
  const roots = parentIds.includes(null);
  const conditions = [
    ...(parents.length > 0 ? [inArray(message.parentId, parents)] : []),
    ...(roots ? [isNull(message.parentId)] : []),
  ];
  const byParent = new Map<string | null, string[]>();
  if (conditions.length === 0) return byParent;
  const rows = await db
    .select({ id: message.id, parentId: message.parentId })
    .from(message)
    .where(and(eq(message.chatId, chatId), or(...conditions)))
    .orderBy(asc(message.seq));
  for (const row of rows) {
    const ids = byParent.get(row.parentId) ?? [];
    ids.push(row.id);
    byParent.set(row.parentId, ids);
  }
  return byParent;
}

/**
 * Moves the chat's current leaf to the newest message under `messageId` (itself when it has no replies): the newest
 * message of a subtree is always one of its leaves. Undefined when the chat or the message is not found.
 */
export async function selectNewestLeafUnder(
  db: Db,
  userId: string,
  chatId: string,
  messageId: string,
): Promise<ChatRow | undefined> {
  const [row] = await db
    .update(chat)
    .set({
      currentLeafId: sql`(with recursive below as (
          select m.id, m.seq from ${message} m where m.id = ${messageId} and m.chat_id = ${chatId}
          union all
          select m.id, m.seq from below b join ${message} m on m.chat_id = ${chatId} and m.parent_id = b.id
        ) select id from below order by seq desc limit 1)`,
    })
    .where(
      and(
        eq(chat.id, chatId),
        eq(chat.userId, userId),
        sql`exists (select 1 from ${message} m where m.id = ${messageId} and m.chat_id = ${chatId})`,
      ),
    )
    .returning();
  return row;
}

/** A fork can copy a path this long at most (a guard against a cycle a bad import could make). */
const MAX_FORK_PATH = 1_000_000;

/**
 * Copies the path from the root to `messageId` into chat `toChatId` (new ids, the same tree shape, texts, parts, usage
 * and times; replies still streaming are copied as stopped) and makes the copy of `messageId` its current leaf.
 * Copies carry origin 'fork': the usage rollups do not count them again. Returns how many messages were copied.
 */
export async function copyPath(
  db: Db,
  options: { userId: string; fromChatId: string; messageId: string; toChatId: string },
): Promise<number> {
  const { userId, fromChatId, messageId, toChatId } = options;
  const ids = pathIds(userId, fromChatId, sql`${messageId}::text`, MAX_FORK_PATH);
  const inserted = await db.execute(sql`
    with source as (
      select m.*, gen_random_uuid()::text as new_id from ${message} m where m.id in ${ids}
    )
    insert into ${message} (id, user_id, chat_id, parent_id, role, parts, text, status, error, provider_id, model,
      input_tokens, output_tokens, finish_reason, origin, created_at, updated_at)
    select s.new_id, s.user_id, ${toChatId}, p.new_id, s.role,
      case when s.status = 'streaming' and s.parts = '[]'::jsonb and s.text <> ''
        then jsonb_build_array(jsonb_build_object('type', 'text', 'text', s.text)) else s.parts end, s.text,
      case when s.status in ('streaming', 'pending') then 'stopped' else s.status end,
      s.error, s.provider_id, s.model, s.input_tokens, s.output_tokens, s.finish_reason, 'fork', s.created_at,
      s.updated_at
    from source s left join source p on p.id = s.parent_id
    order by s.seq
    returning id`);
  await db
    .update(chat)
    .set({
      currentLeafId: sql`(select m.id from ${message} m where m.chat_id = ${toChatId} order by m.seq desc nulls last limit 1)`,
    })
    .where(eq(chat.id, toChatId));
  return rowsOf(inserted).length;
}
