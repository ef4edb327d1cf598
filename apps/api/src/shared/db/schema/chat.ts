// Chats and their messages. Messages keep AI SDK UI message parts; `seq` orders them (insertion order, no ties).
import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from './auth.ts';
import { provider } from './providers.ts';

export interface StoredPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export const chat = pgTable(
  'chat',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    title: text('title'),
    providerId: text('provider_id').references(() => provider.id, { onDelete: 'set null' }),
    model: text('model'),
    systemPrompt: text('system_prompt'),
    // The message the user is on (a chat is a tree of messages): the path from the root to it is what the chat shows
    // and what the model reads. No foreign key: a leaf that is gone reads as the chat's newest message.
    currentLeafId: text('current_leaf_id'),
    // Something the user should know about the chat: its provider was deleted and it goes on with the default.
    notice: text('notice'),
    // Where an imported chat came from (`chatgpt:<conversation id>`, `parley:<chat id>`): importing it again is a no-op.
    importKey: text('import_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // chat.list: a user's chats, most recently updated first, keyset-paged on (updated_at, id).
  (t) => [
    index('chat_user_updated_idx').on(t.userId, t.updatedAt.desc(), t.id.desc()),
    // The export walks a user's chats in creation order (a chat updated mid-export does not move).
    index('chat_user_created_idx').on(t.userId, t.createdAt, t.id),
    uniqueIndex('chat_user_import_key_idx').on(t.userId, t.importKey),
  ],
);

export const message = pgTable(
  'message',
  {
    id: text('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    chatId: text('chat_id')
      .notNull()
      .references(() => chat.id, { onDelete: 'cascade' }),
    parentId: text('parent_id'),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    parts: jsonb('parts').$type<StoredPart[]>().notNull().default([]),
    text: text('text').notNull().default(''),
    status: text('status', { enum: ['pending', 'streaming', 'complete', 'stopped', 'error'] }).notNull(),
    error: text('error'),
    providerId: text('provider_id').references(() => provider.id, { onDelete: 'set null' }),
    model: text('model'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    finishReason: text('finish_reason'),
    clientRequestId: text('client_request_id'),
    // A copy (a fork) or an import: not generated here, so the usage rollups do not count it (migration 0005).
    origin: text('origin', { enum: ['fork', 'import'] }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // chat.messages: newest first, keyset-paged on seq.
    index('message_chat_seq_idx').on(t.chatId, t.seq.desc()),
    uniqueIndex('message_user_client_request_idx').on(t.userId, t.clientRequestId),
    // A message's siblings (the same parent in the same chat, roots included) in creation order.
    index('message_chat_parent_idx').on(t.chatId, t.parentId, t.seq),
    // users.usage: a user's messages over a time range.
    index('message_user_created_idx').on(t.userId, t.createdAt),
    // Start-up recovery finds replies left streaming by a process that died.
    index('message_streaming_idx').on(t.updatedAt).where(sql`${t.status} = 'streaming'`),
  ],
);
