// Zod schemas for the users procedures.
import { MAX_NAME_CHARS } from '@parley/shared/limits';
import { z } from 'zod';
import { dateInRange, isAllowedImageUrl } from '../../shared/lib/input-policy.ts';
import { pageInput, pageOf } from '../../shared/lib/paging.ts';
import { UserSchema } from '../auth/index.ts';
import { ChatSchema } from '../chat/index.ts';
import { PreferencesSchema } from '../preferences/index.ts';
import { ProviderSchema } from '../providers/index.ts';
import { MessageSchema } from '../replies/index.ts';

export const MeOutput = UserSchema.extend({ preferences: PreferencesSchema });
export const UpdateProfileInput = z.object({
  name: z.string().trim().min(1).max(MAX_NAME_CHARS).optional(),
  // https: or an inline data:image/ (never javascript:, nor http: mixed content).
  image: z
    .string()
    .max(2000)
    .refine(isAllowedImageUrl, { error: 'expected an https: or data:image/ URL' })
    .nullable()
    .optional(),
});

/** A date PostgreSQL stores and toISOString writes plainly (years 1–9999); beyond that PostgreSQL refused it (500). */
const InRangeDate = z.coerce.date().refine(dateInRange, { error: 'expected a date between the years 1 and 9999' });

export const UsageInput = z
  .object({
    from: InRangeDate.optional(),
    to: InRangeDate.optional(),
    /** 'day' adds byDay, one row per UTC day with any usage, for charts. */
    groupBy: z.enum(['model', 'day']).default('model'),
  })
  .refine((r) => !r.from || !r.to || r.from <= r.to, { error: 'from must not be after to', path: ['from'] });
const Counts = {
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  messages: z.number().int(),
  /** From the prices set on the providers (per million tokens, the user's currency); null where none applies. */
  cost: z.number().nullable(),
};
export const UsageOutput = z.object({
  totals: z.object(Counts),
  byModel: z.array(z.object({ providerId: z.string().nullable(), model: z.string().nullable(), ...Counts })),
  byDay: z.array(z.object({ day: z.string(), ...Counts })).optional(),
});

const Period = z.enum(['day', 'month']);
const MaxTokens = z.number().int().min(1).max(1_000_000_000_000);
export const LimitsOutput = z.object({
  period: Period,
  /** The cap in tokens (input + output) per period; null: no cap. */
  maxTokens: z.number().int().nullable(),
  usedTokens: z.number().int(),
  /** Held by replies still generating (their worst case), until each is settled to what it used. */
  reservedTokens: z.number().int(),
  /** When the current period ends and the counts start again. */
  resetsAt: z.date(),
});
export const SetLimitsInput = z.object({ period: Period.optional(), maxTokens: MaxTokens.nullable().optional() });
export const SetUserLimitsInput = SetLimitsInput.extend({ userId: z.string().min(1).max(64) });

export const ExportOutput = z.object({
  user: UserSchema,
  preferences: PreferencesSchema,
  providers: z.array(ProviderSchema),
  chats: z.array(ChatSchema.extend({ messages: z.array(MessageSchema) })),
});

export const DeleteAccountInput = z.object({ confirmEmail: z.string().trim().min(1).max(320) });
export const DeleteAccountOutput = z.object({ deleted: z.literal(true) });

export const ListUsersInput = pageInput({ search: z.string().trim().max(200).optional() });
export const UserPage = pageOf(UserSchema);
export const SetRoleInput = z.object({ userId: z.string().min(1).max(64), role: z.enum(['user', 'admin']) });

export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;
