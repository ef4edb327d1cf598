// The OpenAPI 3.1 document, generated from the procedures' own Zod schemas (trpc-to-openapi + zod-openapi), never
// written by hand. Both auth schemes are declared; every error response carries tRPC's error data with appCode.
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../router.ts';
import { ERROR_CODES } from './lib/errors.ts';
import { REST_BASE_PATH } from './rest-base-path.ts';

export { REST_BASE_PATH };

const errorData = {
  type: 'object',
  description: 'tRPC error data: the tRPC code, the HTTP status, and a stable domain code (appCode).',
  properties: {
    code: { type: 'string' },
    httpStatus: { type: 'integer' },
    appCode: { type: 'string', enum: Object.keys(ERROR_CODES) },
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
};

type Json = Record<string, unknown>;

/** Adds `data` (with appCode) to every error schema (the generator names them error.<CODE>). */
function withErrorData(document: OpenAPIObject): OpenAPIObject {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {}) as [string, Json][]) {
    if (name.startsWith('error.') && schema.properties) (schema.properties as Json).data = errorData;
  }
  return document;
}

export function createOpenApiDocument(publicUrl: string): OpenAPIObject {
  return withErrorData(
    generateOpenApiDocument(appRouter, {
      title: 'Parley API',
      description:
        'Typed, multi-tenant AI chat. The same procedures as the tRPC API at /trpc, as plain JSON over HTTP. ' +
        'Authenticate with the Better Auth session cookie (browsers) or an API key in the x-api-key header.',
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
}
