// The account export's chats and messages as JSON text, read from keyset cursors in batches: memory stays flat
// however many messages the account holds (GET /api/export streams what this yields).
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../shared/db/client.ts';
import { chat, message } from '../../shared/db/schema/index.ts';
import { toMessage } from '../replies/index.ts';
import { ChatSchema } from './schema.ts';

export interface ExportChatsOptions {
  db: Db;
  userId: string;
  /** Messages read (and yielded) at a time. */
  batchSize?: number;
  /** Chats read at a time. */
  chatBatchSize?: number;
}

const DEFAULT_BATCH = 1_000;
const DEFAULT_CHAT_BATCH = 100;

/**
 * Text is handed on in pieces of about this many characters. Small enough to stay in V8's young generation and die
 * there: one string per page of 1,000 messages (~0.5 MB) lands in large-object space, which only a full collection
 * frees, and the heap grew by the size of the whole export (~500 MB at 1 M messages) before one ran.
 */
const PIECE_CHARS = 32 * 1024;

/**
 * The JSON array of the user's chats, each with its messages oldest first: `[{…chat, "messages": […]}, …]`, in
 * pieces of about 32 K characters. Chats come in creation order, so one updated mid-export neither moves nor goes
 * missing. Stops reading when the consumer stops asking (a closed download).
 */
export async function* exportChatsJson({
  db,
  userId,
  batchSize = DEFAULT_BATCH,
  chatBatchSize = DEFAULT_CHAT_BATCH,
}: ExportChatsOptions): AsyncGenerator<string> {
  let piece = '[';
  let first = true;
  for await (const row of chatRows(db, userId, chatBatchSize)) {
    // The chat object without its closing brace, then its messages: no chat is ever held with all its messages.
    const head = JSON.stringify(ChatSchema.parse(row)).slice(0, -1);
    piece += `${first ? '' : ','}${head},"messages":[`;
    first = false;
    let afterSeq = 0;
    let separator = '';
    for (let more = true; more; ) {
      let page: JsonPage | null = await messageJsonPage(db, userId, row.id, afterSeq, batchSize);
      for (let i = 0; i < page.json.length; i++) {
        piece += separator + page.json[i];
        separator = ',';
        if (piece.length >= PIECE_CHARS) {
          yield piece;
          piece = '';
        }
      }
      more = page.json.length === batchSize;
      afterSeq = page.lastSeq;
      // A suspended generator keeps every value it still references: drop the page before the next round trip,
      // or each one lives through two young-generation collections and is promoted (old-space garbage).
      page = null;
    }
    piece += ']}';
  }
  yield `${piece}]`;
}

async function* chatRows(db: Db, userId: string, limit: number) {
  // The cursor keeps created_at as PostgreSQL's text: a JS Date would drop the microseconds and repeat rows.
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const rows = await db
      .select({ row: chat, at: sql<string>`${chat.createdAt}::text` })
      .from(chat)
      .where(
        and(
          eq(chat.userId, userId),
          after ? sql`(${chat.createdAt}, ${chat.id}) > (${after.at}::timestamptz, ${after.id})` : undefined,
        ),
      )
      .orderBy(asc(chat.createdAt), asc(chat.id))
      .limit(limit);
    for (const { row } of rows) yield row;
    const last = rows.at(-1);
    if (!last || rows.length < limit) return;
    after = { at: last.at, id: last.row.id };
  }
}

interface JsonPage {
  /** Each message as JSON text, oldest first. */
  json: string[];
  lastSeq: number;
}

/** A page of a chat's messages as JSON text: the rows die here, only their text goes back to the generator. */
async function messageJsonPage(db: Db, userId: string, chatId: string, afterSeq: number, limit: number) {
  const rows = await messagePage(db, userId, chatId, afterSeq, limit);
  return { json: rows.map((m) => JSON.stringify(toMessage(m))), lastSeq: rows.at(-1)?.seq ?? afterSeq };
}

/**
 * A chat's messages after `afterSeq`, oldest first: message_chat_seq_idx read backwards. The index is
 * `seq DESC NULLS LAST`, so only `ASC NULLS FIRST` walks it; a plain ASC sorts the rest of the chat on every page.
 */
function messagePage(db: Db, userId: string, chatId: string, afterSeq: number, limit: number) {
  return db
    .select()
    .from(message)
    .where(and(eq(message.chatId, chatId), eq(message.userId, userId), gt(message.seq, afterSeq)))
    .orderBy(sql`${message.seq} asc nulls first`)
    .limit(limit);
}
