// Chats: create, list, change, delete, read their messages. Replies begin in the replies module; this module names
// a new chat after its first exchange.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { cursorKind, fetchSize, TimeIdValue, toPage } from '../../shared/lib/paging.ts';
import { getProvider } from '../providers/index.ts';
import {
  beginSend,
  type GenerationEngine,
  type NameChat,
  type ReplyDeps,
  type SendReplyInput,
  toMessage,
} from '../replies/index.ts';
import * as repository from './repository.ts';
import type { Chat, CreateChatInput, UpdateChatInput } from './schema.ts';
import { generateTitle } from './titles.ts';

export interface ChatScope {
  db: Db;
  userId: string;
}

export function toChat(row: repository.ChatRow): Chat {
  return {
    id: row.id,
    title: row.title,
    providerId: row.providerId,
    model: row.model,
    systemPrompt: row.systemPrompt,
    currentLeafId: row.currentLeafId,
    notice: row.notice,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** chat.list pages over (updatedAt, id), newest first. */
export const ChatsCursor = cursorKind('chats', TimeIdValue);
/** chat.messages pages over seq, newest first. */
export const MessagesCursor = cursorKind('messages', z.object({ seq: z.int() }));

export async function listChats({
  db,
  userId,
  cursor,
  limit,
  search,
}: ChatScope & { cursor?: string; limit: number; search?: string }) {
  const after = ChatsCursor.decode(cursor);
  const rows = await repository.findChats(db, userId, {
    limit: fetchSize(limit),
    after: after ? { updatedAt: new Date(after.t), id: after.id } : undefined,
    search: search || undefined,
  });
  const page = toPage(rows, limit, (last) => ChatsCursor.encode({ t: last.updatedAt.toISOString(), id: last.id }));
  return { ...page, items: page.items.map(toChat) };
}

async function findOwnChat(db: Db, userId: string, id: string): Promise<repository.ChatRow> {
  const row = await repository.findChat(db, userId, id);
  if (!row) throw new AppError('CHAT_NOT_FOUND');
  return row;
}

export async function getChat({ db, userId, id }: ChatScope & { id: string }) {
  return toChat(await findOwnChat(db, userId, id));
}

/** A provider named for a chat must be the user's own (checked through the providers module). */
async function checkProvider(db: Db, userId: string, providerId: string | null | undefined) {
  if (providerId) await getProvider({ db, userId, id: providerId });
}

export async function createChat({ db, userId, input }: ChatScope & { input: CreateChatInput }) {
  await checkProvider(db, userId, input.providerId);
  const now = new Date();
  const row = await repository.insertChat(db, {
    id: randomUUID(),
    userId,
    title: input.title ?? null,
    providerId: input.providerId ?? null,
    model: input.model ?? null,
    systemPrompt: input.systemPrompt ?? null,
    createdAt: now,
    updatedAt: now,
  });
  return toChat(row);
}

export async function updateChat({ db, userId, input }: ChatScope & { input: UpdateChatInput }) {
  await findOwnChat(db, userId, input.id);
  await checkProvider(db, userId, input.providerId);
  const { id, ...patch } = input;
  // Choosing a provider for the chat answers its notice (a deleted provider's).
  const row = await repository.updateChat(db, userId, id, {
    ...patch,
    ...(input.providerId !== undefined ? { notice: null } : {}),
  });
  if (!row) throw new AppError('CHAT_NOT_FOUND');
  return toChat(row);
}

export async function deleteChat({ db, userId, id, engine }: ChatScope & { id: string; engine: GenerationEngine }) {
  await findOwnChat(db, userId, id);
  await engine.stopForChat(id);
  if (!(await repository.deleteChat(db, userId, id))) throw new AppError('CHAT_NOT_FOUND');
  return { id };
}

export async function listMessages({
  db,
  userId,
  chatId,
  cursor,
  limit,
}: ChatScope & { chatId: string; cursor?: string; limit: number }) {
  await findOwnChat(db, userId, chatId);
  const before = MessagesCursor.decode(cursor);
  const rows = await repository.findMessages(db, userId, chatId, { limit: fetchSize(limit), beforeSeq: before?.seq });
  const page = toPage(rows, limit, (last) => MessagesCursor.encode({ seq: last.seq }));
  return { ...page, items: page.items.map(toMessage) };
}

export type SendOptions = ReplyDeps & { input: SendReplyInput };

/** chat.send and chat.sendAndStream: the reply begins in the replies module; a chat without a title gets one. */
export function sendMessage(options: SendOptions) {
  // The chat's title from its first exchange, unless the user named it meanwhile.
  const nameChat: NameChat = async ({ chatId, question, model }) =>
    repository.setTitleIfUnset(options.db, chatId, await generateTitle(model, question));
  return beginSend({ ...options, nameChat });
}

/** Every chat of the user with all its messages, oldest first (for the account export). */
export async function exportChats({ db, userId }: ChatScope) {
  const chats = await repository.findAllChats(db, userId);
  const messages = await repository.findAllMessages(db, userId);
  const byChat = Map.groupBy(messages, (m) => m.chatId);
  return chats.map((chat) => ({ ...toChat(chat), messages: (byChat.get(chat.id) ?? []).map(toMessage) }));
}
