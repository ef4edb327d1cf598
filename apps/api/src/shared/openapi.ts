// The OpenAPI 3.1 document, generated from the procedures' own Zod schemas (trpc-to-openapi + zod-openapi); every
// operation has a summary, and the routes that are not procedures (Better Auth, the event streams, the gateway) are
// added from openapi-routes.ts. Both auth schemes are declared; every error response carries tRPC's error data.

import { APP_CODES, type ErrorData } from '@parley/shared/errors';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../router.ts';
import { BEARER_SCHEME, EXTRA_TAGS, extraPaths, PROCEDURE_DOCS } from './openapi-routes.ts';
import { REST_BASE_PATH } from './rest-base-path.ts';

export { REST_BASE_PATH };

/** `data` of every error: ErrorData (@parley/shared), its appCode one of the shared table's codes. */
const errorData = {
  type: 'object',
  description: 'tRPC error data: the tRPC code, the HTTP status, and a stable domain code (appCode).',
  properties: {
    code: { type: 'string' },
    httpStatus: { type: 'integer' },
    appCode: { type: 'string', enum: [...APP_CODES] },
    path: { type: 'string', description: 'The procedure (chat.send).' },
    requestId: { type: 'string' },
    zodError: {
      type: 'object',
      description: 'Field-level detail of a validation error (z.flattenError).',
      properties: {
        formErrors: { type: 'array', items: { type: 'string' } },
        fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
  required: ['code', 'httpStatus', 'appCode'],
} satisfies {
  type: 'object';
  description: string;
  properties: Record<keyof ErrorData, unknown>;
  required: (keyof ErrorData)[];
};

type Json = Record<string, unknown>;

/** Adds `data` (with appCode) to every error schema (the generator names them error.<CODE>). */
function withErrorData(document: OpenAPIObject): OpenAPIObject {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}) as [string, Json][]) {
    if (name.startsWith('error.') && schema.properties) (schema.properties as Json).data = errorData;
  }
  return document;
}

/** Each procedure's summary and description (its meta's, else the table's); the routes that are not procedures, at the root URL. */
function withSummariesAndRoutes(document: OpenAPIObject, publicUrl: string): OpenAPIObject {
  for (const item of Object.values(document.paths ?? {}) as Json[]) {
    for (const operation of Object.values(item) as Json[]) {
      const docs = PROCEDURE_DOCS[String(operation.operationId)];
      if (!operation.summary && docs) operation.summary = docs.summary;
      if (!operation.description && docs) operation.description = docs.description;
    }
  }
  Object.assign(document.paths ?? {}, extraPaths(publicUrl));
  document.tags = [...(document.tags ?? []), ...EXTRA_TAGS];
  document.components ??= {};
  const components = document.components as Json;
  components.securitySchemes = { ...(components.securitySchemes as Json), ...BEARER_SCHEME };
  return document;
}

/** What the document states of the server's configured limits (the schemas only bound absurd input). */
export interface DocumentedLimits {
  maxMessageChars: number;
}

/** chat.send's text: the schema's bound is a sanity bound; the server enforces MAX_MESSAGE_CHARS. */
function withConfiguredLimits(document: OpenAPIObject, limits: DocumentedLimits): OpenAPIObject {
  for (const item of Object.values(document.paths ?? {}) as Json[]) {
    for (const operation of Object.values(item) as Json[]) {
      if (operation.operationId !== 'chat-send') continue;
      const body = operation.requestBody as { content?: Record<string, { schema?: Json }> } | undefined;
      const text = (body?.content?.['application/json']?.schema?.properties as Json | undefined)?.text as Json;
      if (!text) continue;
      text.maxLength = limits.maxMessageChars;
      text.description = `At most ${limits.maxMessageChars} characters (MAX_MESSAGE_CHARS); longer is MESSAGE_TOO_LONG`;
    }
  }
  return document;
}

export function createOpenApiDocument(publicUrl: string, limits: DocumentedLimits): OpenAPIObject {
  const document = withErrorData(
    generateOpenApiDocument(appRouter, {
      title: 'Parley API',
      description:
        'Typed, multi-tenant AI chat. The same procedures as the tRPC API at /trpc, as plain JSON over HTTP at ' +
        "/api/v1; Better Auth's sign-up, sign-in and sign-out at /api/auth; replies as server-sent events at " +
        '/trpc/chat.stream; and an OpenAI-compatible gateway at /v1 for any OpenAI client. Authenticate with the ' +
        'Better Auth session cookie (browsers), an API key in the x-api-key header, or (on /v1) an API key as ' +
        '`Authorization: Bearer`. A guide: docs/guide.md in the repository.',
      version: '1.0.0',
      baseUrl: `${publicUrl}${REST_BASE_PATH}`,
      docsUrl: `${publicUrl}/docs`,
      tags: ['auth', 'providers', 'chat', 'users'],
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'better-auth.session_token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    }),
  );
  return withConfiguredLimits(withSummariesAndRoutes(document, publicUrl), limits);
}

/** The operationIds of the routes that are not procedures (tests tell them apart from the generated ones). */
export const EXTRA_OPERATION_IDS: ReadonlySet<string> = new Set(
  Object.values(extraPaths('http://x')).flatMap((item) =>
    Object.values(item).flatMap((operation) => {
      const id = (operation as Json).operationId;
      return typeof id === 'string' ? [id] : [];
    }),
  ),
);
