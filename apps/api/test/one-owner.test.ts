// One owner per fact: the error codes and the error data's shape, the provider kinds and the limits are owned by
// @parley/shared (what clients import); the server's table, formatter, OpenAPI document, schemas, database column and
// configuration defaults take them from there. These checks fail when one of them holds a copy that drifts.
// (packages/shared/test/owners.test.ts scans the sources for literal copies; this file checks the running values.)
import {
  APP_CODES,
  type ErrorData,
  httpStatusOf,
  ERROR_CODES as SHARED_ERROR_CODES,
  TRPC_HTTP_STATUS,
  type TrpcCode,
} from '@parley/shared/errors';
import {
  DEFAULT_MAX_MESSAGE_CHARS,
  MAX_API_KEY_NAME_CHARS,
  MAX_BATCH_SIZE,
  MAX_NAME_CHARS,
  MAX_SYSTEM_PROMPT_CHARS,
  MAX_TITLE_CHARS,
  MESSAGE_CHARS_BOUND,
} from '@parley/shared/limits';
import { PROVIDER_KINDS } from '@parley/shared/provider-kinds';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CreateApiKeyInput } from '../src/modules/auth/schema.ts';
import { CreateChatInput, ForkInput, SendInput, UpdateChatInput } from '../src/modules/chat/schema.ts';
import { UpdatePreferencesInput } from '../src/modules/preferences/schema.ts';
import { KINDS } from '../src/modules/providers/kinds.ts';
import { CreateProviderInput, KindsOutput } from '../src/modules/providers/schema.ts';
import { UpdateProfileInput } from '../src/modules/users/schema.ts';
import { provider } from '../src/shared/db/schema/providers.ts';
import { EnvSchema } from '../src/shared/lib/env.ts';
import { ERROR_CODES } from '../src/shared/lib/errors.ts';
import { createOpenApiDocument } from '../src/shared/openapi.ts';

/** A string schema's maximum length, through .optional() and .nullable(). */
function maxLengthOf(schema: z.ZodType): number | null {
  let current = schema as unknown as { unwrap?: () => unknown; maxLength?: number | null };
  while (typeof current.unwrap === 'function') current = current.unwrap() as typeof current;
  return current.maxLength ?? null;
}

describe('what works', () => {
  it("the server's error table is the shared one", () => {
    expect(ERROR_CODES).toBe(SHARED_ERROR_CODES);
    expect(APP_CODES).toEqual(Object.keys(ERROR_CODES));
  });

  it('each code answers with the HTTP status tRPC gives its tRPC code', () => {
    for (const trpc of Object.keys(TRPC_HTTP_STATUS) as TrpcCode[]) {
      expect([trpc, getHTTPStatusCodeFromError(new TRPCError({ code: trpc }))]).toEqual([trpc, TRPC_HTTP_STATUS[trpc]]);
    }
    for (const code of APP_CODES) expect(httpStatusOf(code)).toBe(TRPC_HTTP_STATUS[ERROR_CODES[code].trpc]);
  });

  it("the OpenAPI document's error data lists the shared codes and the shared shape's fields", () => {
    const document = createOpenApiDocument('http://127.0.0.1:1', { maxMessageChars: DEFAULT_MAX_MESSAGE_CHARS });
    const schemas = (document.components?.schemas ?? {}) as Record<string, { properties?: Record<string, unknown> }>;
    const errors = Object.entries(schemas).filter(([name]) => name.startsWith('error.'));
    expect(errors.length).toBeGreaterThan(3);
    const fields: Record<keyof ErrorData, true> = {
      code: true,
      httpStatus: true,
      appCode: true,
      path: true,
      requestId: true,
      zodError: true,
    };
    for (const [, schema] of errors) {
      const data = schema.properties?.data as { properties: Record<string, { enum?: string[] }> };
      expect(data.properties.appCode?.enum).toEqual(APP_CODES);
      expect(Object.keys(data.properties).sort()).toEqual(Object.keys(fields).sort());
    }
  });

  it('the provider kinds: the registry, the schemas and the database column take the shared list', () => {
    expect(Object.keys(KINDS)).toEqual([...PROVIDER_KINDS]);
    expect(provider.kind.enumValues).toEqual([...PROVIDER_KINDS]);
    const kindSchema = CreateProviderInput.shape.kind as unknown as { options: string[] };
    expect(kindSchema.options).toEqual([...PROVIDER_KINDS]);
    const listed = KindsOutput.element.shape.kind as unknown as { options: string[] };
    expect(listed.options).toEqual([...PROVIDER_KINDS]);
  });

  it("the configuration's defaults and bounds are the shared limits", () => {
    expect(EnvSchema.shape.TRPC_MAX_BATCH_SIZE.parse(undefined)).toBe(MAX_BATCH_SIZE);
    expect(EnvSchema.shape.MAX_MESSAGE_CHARS.parse(undefined)).toBe(DEFAULT_MAX_MESSAGE_CHARS);
    expect(EnvSchema.shape.MAX_MESSAGE_CHARS.parse(String(MESSAGE_CHARS_BOUND))).toBe(MESSAGE_CHARS_BOUND);
    expect(EnvSchema.shape.MAX_MESSAGE_CHARS.safeParse(String(MESSAGE_CHARS_BOUND + 1)).success).toBe(false);
  });

  it("the schemas' length bounds are the shared limits", () => {
    expect(maxLengthOf(SendInput.shape.text)).toBe(MESSAGE_CHARS_BOUND);
    expect(maxLengthOf(CreateChatInput.shape.systemPrompt)).toBe(MAX_SYSTEM_PROMPT_CHARS);
    expect(maxLengthOf(UpdateChatInput.shape.systemPrompt)).toBe(MAX_SYSTEM_PROMPT_CHARS);
    expect(maxLengthOf(UpdatePreferencesInput.shape.systemPrompt)).toBe(MAX_SYSTEM_PROMPT_CHARS);
    expect(maxLengthOf(CreateChatInput.shape.title)).toBe(MAX_TITLE_CHARS);
    expect(maxLengthOf(ForkInput.shape.title)).toBe(MAX_TITLE_CHARS);
    expect(maxLengthOf(UpdateProfileInput.shape.name)).toBe(MAX_NAME_CHARS);
    expect(maxLengthOf(CreateProviderInput.shape.name)).toBe(MAX_NAME_CHARS);
    expect(maxLengthOf(CreateApiKeyInput.shape.name)).toBe(MAX_API_KEY_NAME_CHARS);
  });
});
