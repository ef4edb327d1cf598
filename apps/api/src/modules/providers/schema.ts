// Zod schemas for the provider procedures. No schema here can carry an API key out: outputs show only its hint.
import { MAX_NAME_CHARS } from '@parley/shared/limits';
import { PROVIDER_KINDS } from '@parley/shared/provider-kinds';
import { z } from 'zod';

const Id = z.string().min(1).max(64);
const Kind = z.enum(PROVIDER_KINDS, { error: `expected one of ${PROVIDER_KINDS.join(', ')}` });
const Name = z.string().trim().min(1).max(MAX_NAME_CHARS);
const ApiKey = z.string().trim().min(1).max(2000);
const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:11434/v1' })
  .max(2000)
  .transform((url) => url.replace(/\/+$/, ''));
const Model = z.string().trim().min(1).max(200);
const Price = z.number().min(0).max(1_000_000);
/** What the user pays per million tokens of each model, in their own currency (users.usage reports cost from it). */
const Prices = z
  .array(z.object({ model: Model, inputPerMTok: Price, outputPerMTok: Price }))
  .max(500)
  .refine((prices) => new Set(prices.map((p) => p.model)).size === prices.length, {
    error: 'each model may have one price',
  });

export const ProviderSchema = z.object({
  id: z.string(),
  kind: Kind,
  name: z.string(),
  baseUrl: z.string().nullable(),
  defaultModel: z.string().nullable(),
  apiKeyHint: z.string().nullable(),
  prices: z.array(z.object({ model: z.string(), inputPerMTok: z.number(), outputPerMTok: z.number() })),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const KindsOutput = z.array(
  z.object({
    kind: Kind,
    label: z.string(),
    needsApiKey: z.boolean(),
    needsBaseUrl: z.boolean(),
    suggestedModels: z.array(z.string()),
  }),
);

export const IdInput = z.object({ id: Id });
export const CreateProviderInput = z.object({
  kind: Kind,
  name: Name,
  apiKey: ApiKey.optional(),
  baseUrl: BaseUrl.optional(),
  defaultModel: Model.optional(),
  prices: Prices.optional(),
});
export const UpdateProviderInput = z.object({
  id: Id,
  name: Name.optional(),
  /** A new key replaces the stored one; null removes it (for kinds that need none). */
  apiKey: ApiKey.nullable().optional(),
  baseUrl: BaseUrl.nullable().optional(),
  defaultModel: Model.nullable().optional(),
  /** Replaces the provider's prices. */
  prices: Prices.optional(),
});

export const ProviderListOutput = z.array(ProviderSchema);
export const DeleteProviderOutput = z.object({ id: z.string() });
export const TestProviderOutput = z.object({
  ok: z.boolean(),
  latencyMs: z.number().int().nonnegative(),
  models: z.array(z.string()),
  error: z.string().nullable(),
});
export const ModelsOutput = z.object({ models: z.array(z.string()) });

export type CreateProviderInput = z.infer<typeof CreateProviderInput>;
export type UpdateProviderInput = z.infer<typeof UpdateProviderInput>;
