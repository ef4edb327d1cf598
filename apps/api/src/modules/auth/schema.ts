// Zod schemas for the auth procedures, built once at module level.
import { MAX_API_KEY_NAME_CHARS } from '@parley/shared/limits';
import { z } from 'zod';

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  image: z.string().nullable(),
  role: z.enum(['user', 'admin']),
  createdAt: z.date(),
});

export const GetSessionOutput = z
  .object({
    user: UserSchema,
    session: z.object({ id: z.string(), expiresAt: z.date() }),
  })
  .nullable();

export const SessionListOutput = z.array(
  z.object({
    id: z.string(),
    createdAt: z.date(),
    expiresAt: z.date(),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  }),
);

export const RevokeSessionInput = z.object({ sessionId: z.string().min(1).max(128) });
export const RevokeSessionOutput = z.object({ revoked: z.literal(true) });
export const RevokeOtherSessionsOutput = z.object({ revoked: z.number().int().nonnegative() });

export const ApiKeyListOutput = z.array(
  z.object({
    id: z.string(),
    name: z.string().nullable(),
    start: z.string().nullable(),
    createdAt: z.date(),
    expiresAt: z.date().nullable(),
    lastUsedAt: z.date().nullable(),
  }),
);
export const CreateApiKeyInput = z.object({
  name: z.string().trim().min(1).max(MAX_API_KEY_NAME_CHARS),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});
export const CreateApiKeyOutput = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** The key itself, shown this once. */
  key: z.string(),
  start: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
});
export const RevokeApiKeyInput = z.object({ id: z.string().min(1).max(128) });
