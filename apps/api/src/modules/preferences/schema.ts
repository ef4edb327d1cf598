import { MAX_SYSTEM_PROMPT_CHARS } from '@parley/shared/limits';
import { z } from 'zod';

export const PreferencesSchema = z.object({
  defaultProviderId: z.string().nullable(),
  defaultModel: z.string().nullable(),
  systemPrompt: z.string().nullable(),
});

export const UpdatePreferencesInput = z.object({
  defaultProviderId: z.string().min(1).max(64).nullable().optional(),
  defaultModel: z.string().trim().min(1).max(200).nullable().optional(),
  systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).nullable().optional(),
});

export type Preferences = z.infer<typeof PreferencesSchema>;
export type UpdatePreferencesInput = z.infer<typeof UpdatePreferencesInput>;
