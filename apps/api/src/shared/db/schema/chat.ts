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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // chat.list: a user's chats, most recently updated first, keyset-paged on (updated_at, id).
  (t) => [
    index('chat_user_updated_idx').on(t.userId, t.updatedAt.desc(), t.id.desc()),
    // The export walks a user's chats in creation order (a chat updated mid-export does not move).
    index('chat_user_created_idx').on(t.userId, t.createdAt, t.id),
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // chat.messages: newest first, keyset-paged on seq.
    index('message_chat_seq_idx').on(t.chatId, t.seq.desc()),
    uniqueIndex('message_user_client_request_idx').on(t.userId, t.clientRequestId),
    index('message_parent_idx').on(t.parentId),
    // users.usage: a user's messages over a time range.
    index('message_user_created_idx').on(t.userId, t.createdAt),
    // Start-up recovery finds replies left streaming by a process that died.
    index('message_streaming_idx').on(t.updatedAt).where(sql`${t.status} = 'streaming'`),
  ],
);
