// A user's defaults for chats that name no provider, model or system prompt.
import type { Db } from '../../shared/db/client.ts';
import { getProvider } from '../providers/index.ts';
import * as repository from './repository.ts';
import type { Preferences, UpdatePreferencesInput } from './schema.ts';

export interface PreferencesScope {
  db: Db;
  userId: string;
}

export async function getPreferences({ db, userId }: PreferencesScope): Promise<Preferences> {
  const row = await repository.findPreferences(db, userId);
  return {
    defaultProviderId: row?.defaultProviderId ?? null,
    defaultModel: row?.defaultModel ?? null,
    systemPrompt: row?.systemPrompt ?? null,
  };
}

export async function updatePreferences({ db, userId, input }: PreferencesScope & { input: UpdatePreferencesInput }) {
  // The default provider must be the user's own: another user's reads as not found.
  if (input.defaultProviderId) await getProvider({ db, userId, id: input.defaultProviderId });
  const row = await repository.upsertPreferences(db, userId, input);
  return { defaultProviderId: row.defaultProviderId, defaultModel: row.defaultModel, systemPrompt: row.systemPrompt };
}
