// The error contract, owned here: the closed table of domain codes (appCode) with the tRPC code each maps to, the
// HTTP status that tRPC code answers with, and the shape of a tRPC error's `data`. The server's formatter builds
// `data` as ErrorData, the OpenAPI document lists APP_CODES, and the CLI and web app read errors with errorDataOf.
// Pure data and one small reader: nothing here imports anything (a client bundle of it is a few hundred bytes).

/** The tRPC codes our errors use, with the HTTP status tRPC answers each with. */
export const TRPC_HTTP_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type TrpcCode = keyof typeof TRPC_HTTP_STATUS;

/** Every domain code, with its tRPC code and default message. Services throw AppError('SESSION_NOT_FOUND'). */
export const ERROR_CODES = {
  VALIDATION_FAILED: { trpc: 'BAD_REQUEST', message: 'The input is not valid' },
  BAD_REQUEST: { trpc: 'BAD_REQUEST', message: 'The request is malformed' },
  INVALID_CURSOR: { trpc: 'BAD_REQUEST', message: 'cursor is not one this server gave out' },
  UNAUTHORIZED: { trpc: 'UNAUTHORIZED', message: 'Sign in, or send a valid API key' },
  FORBIDDEN: { trpc: 'FORBIDDEN', message: 'You are not allowed to do this' },
  NOT_FOUND: { trpc: 'NOT_FOUND', message: 'Not found' },
  SESSION_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'Session not found' },
  PROVIDER_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'Provider not found' },
  PROVIDER_NAME_TAKEN: { trpc: 'CONFLICT', message: 'You already have a provider with this name' },
  PROVIDER_UNREACHABLE: { trpc: 'BAD_GATEWAY', message: 'The provider could not be reached' },
  USER_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'User not found' },
  LAST_ADMIN: { trpc: 'PRECONDITION_FAILED', message: 'The last admin cannot be demoted; make another admin first' },
  API_KEY_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'API key not found' },
  CHAT_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'Chat not found' },
  MESSAGE_NOT_FOUND: { trpc: 'NOT_FOUND', message: 'Message not found' },
  MESSAGE_TOO_LONG: { trpc: 'BAD_REQUEST', message: 'The message is too long' },
  TOO_MANY_STREAMS: {
    trpc: 'TOO_MANY_REQUESTS',
    message: 'Too many reply streams are open; close one (or wait for its reply to end)',
  },
  TOO_MANY_GENERATIONS: {
    trpc: 'TOO_MANY_REQUESTS',
    message: 'Too many replies are generating; wait for one to finish',
  },
  QUOTA_EXCEEDED: { trpc: 'FORBIDDEN', message: 'Your spend cap for this period is reached' },
  NO_PROVIDER: { trpc: 'PRECONDITION_FAILED', message: 'No provider: choose one for the chat or in your preferences' },
  CONFLICT: { trpc: 'CONFLICT', message: 'This conflicts with existing data' },
  PRECONDITION_FAILED: { trpc: 'PRECONDITION_FAILED', message: 'A precondition is not met' },
  PAYLOAD_TOO_LARGE: { trpc: 'PAYLOAD_TOO_LARGE', message: 'The request is too large' },
  RATE_LIMITED: { trpc: 'TOO_MANY_REQUESTS', message: 'Too many requests; try again later' },
  SERVICE_UNAVAILABLE: {
    trpc: 'SERVICE_UNAVAILABLE',
    message: 'The service is briefly unavailable (its database does not answer); try again shortly',
  },
  INTERNAL: { trpc: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' },
} as const satisfies Record<string, { trpc: TrpcCode; message: string }>;

export type AppCode = keyof typeof ERROR_CODES;

/** The domain codes, in the table's order (the OpenAPI document's enum of `data.appCode`). */
// Marked pure: a bundle that does not use the table leaves it out.
export const APP_CODES = /* @__PURE__ */ Object.keys(ERROR_CODES) as AppCode[];

/** The HTTP status an error with this domain code answers with. */
export function httpStatusOf(code: AppCode): number {
  return TRPC_HTTP_STATUS[ERROR_CODES[code].trpc];
}

/** Field-level detail of a validation error (z.flattenError's shape). */
export interface ZodErrorData {
  formErrors: string[];
  fieldErrors: Record<string, string[] | undefined>;
}

/** What a tRPC error's `data` carries, from the server's error formatter. */
export interface ErrorData {
  /** The tRPC code (UNAUTHORIZED, BAD_REQUEST, …). */
  code: string;
  httpStatus: number;
  /** The stable domain code. A newer server may send one this client does not list: compare, do not assume. */
  appCode: AppCode;
  /** The procedure's path (chat.send). */
  path?: string;
  /** The request id, as in the server's log and the x-request-id header. */
  requestId?: string;
  zodError?: ZodErrorData;
}

/**
 * The server's error data of a failed call (a TRPCClientError, read by its `data`, so no @trpc/client import is
 * needed), or undefined when the error is not an answer from the server (a network failure, a bug).
 */
export function errorDataOf(error: unknown): ErrorData | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return undefined;
  const { code, httpStatus, appCode } = data as Record<string, unknown>;
  if (typeof code !== 'string' || typeof httpStatus !== 'number' || typeof appCode !== 'string') return undefined;
  return data as ErrorData;
}
