// Chats and replies: the decisions (which provider and model, bounds, idempotency) and the orchestration (store the
// question and the reply in one transaction, then start the generation apart from the request).
import { randomUUID } from 'node:crypto';
import type { Db } from '../../shared/db/client.ts';
import { isUniqueViolation } from '../../shared/db/errors.ts';
import { decodeCursor, encodeCursor, isTimeIdCursor } from '../../shared/lib/cursor.ts';
import type { ChatLimits } from '../../shared/lib/env.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { Keyring } from '../../shared/lib/keyring.ts';
import { getPreferences } from '../preferences/index.ts';
import { getProvider, type Outbound, openModel } from '../providers/index.ts';
import type { GenerationEngine } from './engine.ts';
import { buildHistory } from './history.ts';
import { toMessage } from './messages.ts';
import * as repository from './repository.ts';
import type { Chat, CreateChatInput, UpdateChatInput } from './schema.ts';
import { generateTitle } from './titles.ts';

export interface ChatScope {
  db: Db;
  userId: string;
}

function toChat(row: repository.ChatRow): Chat {
  return {
    id: row.id,
    title: row.title,
    providerId: row.providerId,
    model: row.model,
    systemPrompt: row.systemPrompt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const isMessageCursor = (v: unknown): v is { seq: number } => Number.isSafeInteger((v as { seq?: unknown })?.seq);

export async function listChats({
  db,
  userId,
  cursor,
  limit,
  search,
}: ChatScope & { cursor?: string; limit: number; search?: string }) {
  const after = cursor ? decodeCursor(cursor, isTimeIdCursor) : undefined;
  const rows = await repository.findChats(db, userId, {
    limit: limit + 1,
    after: after ? { updatedAt: new Date(after.t), id: after.id } : undefined,
    search: search || undefined,
  });
  const items = rows.slice(0, limit).map(toChat);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.updatedAt.toISOString(), id: last.id }) : null,
  };
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
  const row = await repository.updateChat(db, userId, id, patch);
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
  const before = cursor ? decodeCursor(cursor, isMessageCursor) : undefined;
  const rows = await repository.findMessages(db, userId, chatId, { limit: limit + 1, beforeSeq: before?.seq });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toMessage),
    nextCursor: rows.length > limit && last ? encodeCursor({ seq: last.seq }) : null,
  };
}

export interface GenerationDeps extends ChatScope {
  keyring: Keyring;
  outbound: Outbound;
  engine: GenerationEngine;
  limits: ChatLimits;
}

export interface SendOptions extends GenerationDeps {
  input: { chatId: string; text: string; clientRequestId?: string; providerId?: string; model?: string };
}

export async function sendMessage(options: SendOptions) {
  const { db, userId, input, limits, engine } = options;
  if (input.clientRequestId) {
    const earlier = await findSent(db, userId, input.clientRequestId);
    if (earlier) return earlier;
  }
  if (input.text.length > limits.maxMessageChars) {
    throw new AppError('MESSAGE_TOO_LONG', `text is longer than ${limits.maxMessageChars} characters`, {
      field: 'text',
    });
  }
  const chat = await findOwnChat(db, userId, input.chatId);
  checkConcurrency(engine, userId, limits);
  const choice = await chooseModel(db, userId, [input, chat]);
  const opened = await openModel({ ...options, ...choice });

  const now = new Date();
  const userMessageId = randomUUID();
  const base = {
    userId,
    chatId: chat.id,
    providerId: opened.providerId,
    model: opened.modelId,
    createdAt: now,
    updatedAt: now,
  };
  let rows: repository.MessageRow[];
  try {
    rows = await db.transaction(async (tx) => {
      const inserted = await repository.insertMessages(tx, [
        {
          ...base,
          id: userMessageId,
          role: 'user',
          parts: [{ type: 'text', text: input.text }],
          text: input.text,
          status: 'complete',
          clientRequestId: input.clientRequestId ?? null,
        },
        { ...base, id: randomUUID(), parentId: userMessageId, role: 'assistant', status: 'streaming' },
      ]);
      await repository.updateChat(tx, userId, chat.id, { updatedAt: now });
      return inserted;
    });
  } catch (error) {
    // The same clientRequestId sent twice at once: the first one won; answer with its result.
    const earlier =
      input.clientRequestId && isUniqueViolation(error) && (await findSent(db, userId, input.clientRequestId));
    if (earlier) return earlier;
    throw error;
  }
  const [userRow, assistantRow] = rows as [repository.MessageRow, repository.MessageRow];
  await startReply(options, chat, opened, userRow, assistantRow.id, !chat.title);
  return { userMessage: toMessage(userRow), assistantMessage: toMessage(assistantRow) };
}

async function findSent(db: Db, userId: string, clientRequestId: string) {
  const userRow = await repository.findMessageByRequestId(db, userId, clientRequestId);
  if (!userRow) return undefined;
  const reply = await repository.findFirstReply(db, userId, userRow.id);
  if (!reply) return undefined;
  return { userMessage: toMessage(userRow), assistantMessage: toMessage(reply) };
}

type ModelSource = { providerId?: string | null; model?: string | null };

/**
 * Provider and model: the first source that names a provider (the call, then the chat), else the user's
 * preferences; the model comes with the provider that was chosen (else the provider's default model).
 */
async function chooseModel(db: Db, userId: string, sources: ModelSource[]) {
  const named = sources.find((source) => source.providerId);
  if (named?.providerId) return { providerId: named.providerId, model: named.model ?? null };
  const preferences = await getPreferences({ db, userId });
  if (!preferences.defaultProviderId) throw new AppError('NO_PROVIDER');
  return { providerId: preferences.defaultProviderId, model: preferences.defaultModel };
}

function checkConcurrency(engine: GenerationEngine, userId: string, limits: ChatLimits) {
  if (engine.countFor(userId) >= limits.maxConcurrentGenerations) {
    throw new AppError(
      'TOO_MANY_GENERATIONS',
      `At most ${limits.maxConcurrentGenerations} replies may generate at once; wait for one to finish or stop it`,
    );
  }
}

type OpenedModel = Awaited<ReturnType<typeof openModel>>;

async function startReply(
  deps: GenerationDeps,
  chat: repository.ChatRow,
  opened: OpenedModel,
  question: repository.MessageRow,
  replyId: string,
  nameTheChat: boolean,
) {
  const { db, userId, engine, limits } = deps;
  const messages = await buildHistory(db, chat.id, question.seq, limits.historyWindow);
  const system = chat.systemPrompt ?? (await getPreferences({ db, userId })).systemPrompt ?? undefined;
  engine.start({
    messageId: replyId,
    userId,
    chatId: chat.id,
    model: opened.model,
    system,
    messages,
    describeError: opened.describeError,
    // Never delays the reply: runs after its final event, and a failure only costs the nicer title.
    onComplete: nameTheChat
      ? async () => repository.setTitleIfUnset(db, chat.id, await generateTitle(opened.model, question.text))
      : undefined,
  });
}

export async function stopMessage({
  db,
  userId,
  messageId,
  engine,
}: ChatScope & { messageId: string; engine: GenerationEngine }) {
  const row = await repository.findMessage(db, userId, messageId);
  if (row?.role !== 'assistant') throw new AppError('MESSAGE_NOT_FOUND');
  const stopped = await engine.stop(messageId);
  if (stopped) return stopped;
  return toMessage((await repository.findMessage(db, userId, messageId)) ?? row);
}

export async function regenerateMessage(options: GenerationDeps & { messageId: string }) {
  const { db, userId, messageId, engine, limits } = options;
  const target = await repository.findMessage(db, userId, messageId);
  if (!target) throw new AppError('MESSAGE_NOT_FOUND');
  const questionId = target.role === 'user' ? target.id : target.parentId;
  const question = questionId ? await repository.findMessage(db, userId, questionId) : undefined;
  if (!question) throw new AppError('MESSAGE_NOT_FOUND');
  const chat = await findOwnChat(db, userId, question.chatId);
  checkConcurrency(engine, userId, limits);
  const choice = await chooseModel(db, userId, [target, chat]);
  const opened = await openModel({ ...options, ...choice });
  const now = new Date();
  const [reply] = await repository.insertMessages(db, [
    {
      id: randomUUID(),
      userId,
      chatId: chat.id,
      parentId: question.id,
      role: 'assistant',
      status: 'streaming',
      providerId: opened.providerId,
      model: opened.modelId,
      createdAt: now,
      updatedAt: now,
    },
  ]);
  const replyRow = reply as repository.MessageRow;
  await startReply(options, chat, opened, question, replyRow.id, false);
  return { assistantMessage: toMessage(replyRow) };
}

/** Every chat of the user with all its messages, oldest first (for the account export). */
export async function exportChats({ db, userId }: ChatScope) {
  const chats = await repository.findAllChats(db, userId);
  const messages = await repository.findAllMessages(db, userId);
  const byChat = Map.groupBy(messages, (m) => m.chatId);
  return chats.map((chat) => ({ ...toChat(chat), messages: (byChat.get(chat.id) ?? []).map(toMessage) }));
}
