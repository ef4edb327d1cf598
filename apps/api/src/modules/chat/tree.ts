// Conversations as trees: the path to a leaf (chat.history), choosing a branch (chat.selectBranch) and copying a
// path into a new chat (chat.fork). Sending and regenerating move the leaf in the replies module.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../shared/lib/errors.ts';
import { CursorId, cursorKind, fetchSize, toPage } from '../../shared/lib/paging.ts';
import { toMessage } from '../replies/index.ts';
import * as repository from './repository.ts';
import { type ChatScope, toChat } from './service.ts';
import * as tree from './tree-repository.ts';

/** chat.history pages from the leaf towards the root: the id of the oldest message shown so far. */
export const HistoryCursor = cursorKind('history', z.object({ before: CursorId }));

export interface HistoryOptions extends ChatScope {
  chatId: string;
  leafId?: string;
  cursor?: string;
  limit: number;
}

/**
 * The path from the root to `leafId` (default: the chat's current leaf), oldest first, paged from the leaf end: the
 * first page holds the leaf and the `limit - 1` messages above it; `nextCursor` continues towards the root.
 */
export async function chatHistory({ db, userId, chatId, leafId, cursor, limit }: HistoryOptions) {
  const before = HistoryCursor.decode(cursor);
  const [chatRow, rows] = await Promise.all([
    repository.findChat(db, userId, chatId),
    tree.findPathPage(db, userId, chatId, { leafId, beforeId: before?.before, limit: fetchSize(limit) }),
  ]);
  if (!chatRow) throw new AppError('CHAT_NOT_FOUND');
  if (leafId && !before && rows.length === 0) {
    throw new AppError('MESSAGE_NOT_FOUND', 'leafId is not a message of this chat', { field: 'leafId' });
  }
  // Fetched from the leaf up: the last row kept is the oldest shown, where the next page starts.
  const page = toPage(rows, limit, (oldest) => HistoryCursor.encode({ before: oldest.id }));
  const path = page.items.reverse();
  const siblings = await tree.findSiblings(
    db,
    chatId,
    path.map((row) => row.parentId),
  );
  const items = path.map((row) => ({ ...toMessage(row), siblingIds: siblings.get(row.parentId) ?? [row.id] }));
  return { ...page, items };
}

/** The chat's current leaf becomes the newest message under `messageId` (a branch chosen among siblings). */
export async function selectBranch({
  db,
  userId,
  chatId,
  messageId,
}: ChatScope & { chatId: string; messageId: string }) {
  const row = await tree.selectNewestLeafUnder(db, userId, chatId, messageId);
  if (row) return toChat(row);
  if (!(await repository.findChat(db, userId, chatId))) throw new AppError('CHAT_NOT_FOUND');
  throw new AppError('MESSAGE_NOT_FOUND', 'messageId is not a message of this chat', { field: 'messageId' });
}

export interface ForkOptions extends ChatScope {
  chatId: string;
  messageId: string;
  title?: string;
}

/** A new chat holding a copy of the path from the root to `messageId`, on that copy; the source is unchanged. */
export async function forkChat({ db, userId, chatId, messageId, title }: ForkOptions) {
  const source = await repository.findChat(db, userId, chatId);
  if (!source) throw new AppError('CHAT_NOT_FOUND');
  const id = randomUUID();
  const now = new Date();
  await db.transaction(async (tx) => {
    await repository.insertChat(tx, {
      id,
      userId,
      title: title ?? source.title,
      providerId: source.providerId,
      model: source.model,
      systemPrompt: source.systemPrompt,
      createdAt: now,
      updatedAt: now,
    });
    const copied = await tree.copyPath(tx, { userId, fromChatId: chatId, messageId, toChatId: id });
    // Nothing copied: the message is not in this chat. The new chat goes with the transaction.
    if (copied === 0) {
      throw new AppError('MESSAGE_NOT_FOUND', 'messageId is not a message of this chat', { field: 'messageId' });
    }
  });
  const row = await repository.findChat(db, userId, id);
  if (!row) throw new AppError('CHAT_NOT_FOUND');
  return toChat(row);
}
