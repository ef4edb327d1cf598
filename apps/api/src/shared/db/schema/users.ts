// Each user's preferences: the provider, model and system prompt a chat uses when it names none.
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { user } from './auth.ts';
import { provider } from './providers.ts';

export const preferences = pgTable('preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => user.id, { onDelete: 'cascade' }),
  defaultProviderId: text('default_provider_id').references(() => provider.id, { onDelete: 'set null' }),
  defaultModel: text('default_model'),
  systemPrompt: text('system_prompt'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
