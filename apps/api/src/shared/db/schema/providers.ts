// Each user's AI providers. The API key is stored only encrypted (AES-256-GCM): ciphertext, IV, tag and key id.
import { PROVIDER_KINDS } from '@parley/shared/provider-kinds';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { user } from './auth.ts';

export interface ModelPrice {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
}

export const provider = pgTable(
  'provider',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: PROVIDER_KINDS }).notNull(),
    name: text('name').notNull(),
    baseUrl: text('base_url'),
    defaultModel: text('default_model'),
    keyCiphertext: text('key_ciphertext'),
    keyIv: text('key_iv'),
    keyTag: text('key_tag'),
    keyId: text('key_id'),
    apiKeyHint: text('api_key_hint'),
    /** Prices the user set per model (their currency, per million tokens): users.usage reports cost from them. */
    prices: jsonb('prices').$type<ModelPrice[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('provider_user_name_idx').on(t.userId, t.name),
    // Rotation walks the rows not yet under the current key.
    index('provider_key_id_idx').on(t.keyId),
  ],
);
