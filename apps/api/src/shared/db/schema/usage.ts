// Per-day usage rollups: what users.usage reads instead of scanning every message. A trigger on the message table
// (migration 0004) keeps them: a reply adds its tokens when it reaches a final status, a deleted reply takes them
// back, so the rollups always equal the sums over the finished replies that exist.
import { bigint, date, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { user } from './auth.ts';

export const usageDaily = pgTable(
  'usage_daily',
  {
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    /** The reply's creation day, UTC. */
    day: date('day', { mode: 'string' }).notNull(),
    // No foreign key: a deleted provider would set this to null and collide with an existing null row. The read
    // joins the provider table and reports a provider that is gone as null, as a message row would show it.
    providerId: text('provider_id'),
    model: text('model'),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    messages: integer('messages').notNull().default(0),
  },
  // One row per user, day, provider and model (null included); also the index of the read by user and days.
  (t) => [unique('usage_daily_key').on(t.userId, t.day, t.providerId, t.model).nullsNotDistinct()],
);

// What the OpenAI-compatible gateway (/v1) used, per user, UTC day, API key, provider and model. The gateway stores
// no messages by default, so its calls add to usage_daily too (modules/gateway/repository.ts), in the same statement.
export const gatewayUsage = pgTable(
  'gateway_usage',
  {
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    // No foreign keys: a revoked key or a deleted provider keeps its history.
    apiKeyId: text('api_key_id').notNull(),
    providerId: text('provider_id'),
    model: text('model'),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull().default(0),
    requests: integer('requests').notNull().default(0),
  },
  (t) => [unique('gateway_usage_key').on(t.userId, t.day, t.apiKeyId, t.providerId, t.model).nullsNotDistinct()],
);
