// Spend caps: a per-user token cap per day or month, reserved atomically before a reply's provider call and settled
// to the real usage when the reply ends (modules/spend). Every row belongs to a user and goes with them.
import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth.ts';

export const spendLimit = pgTable('spend_limit', {
  userId: text('user_id')
    .primaryKey()
    .references(() => user.id, { onDelete: 'cascade' }),
  /** The period the cap counts over; null: the configured default. */
  period: text('period', { enum: ['day', 'month'] }),
  /** Set by an admin; null: the configured default cap (SPEND_CAP_TOKENS), if any. */
  adminMaxTokens: bigint('admin_max_tokens', { mode: 'number' }),
  /** Set by the user themself: never above what the admin allows. */
  userMaxTokens: bigint('user_max_tokens', { mode: 'number' }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** What a user has used and holds reserved in one period (its start, UTC). The cap is checked against this row. */
export const spendPeriod = pgTable(
  'spend_period',
  {
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    period: text('period', { enum: ['day', 'month'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    usedTokens: bigint('used_tokens', { mode: 'number' }).notNull().default(0),
    reservedTokens: bigint('reserved_tokens', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.period, t.startsAt] })],
);

/** One reply's reservation, until the reply ends (settled) or is found dead (released by the sweep). */
export const spendReservation = pgTable(
  'spend_reservation',
  {
    messageId: text('message_id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    period: text('period', { enum: ['day', 'month'] }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('spend_reservation_user_created_idx').on(t.userId, t.createdAt)],
);
