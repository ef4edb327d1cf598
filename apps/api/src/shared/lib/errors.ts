// One domain error type with a closed table of codes. Services throw AppError('SESSION_NOT_FOUND');
// shared/trpc.ts maps it, in one place, to the tRPC code, HTTP status and data.appCode.

export type TrpcCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

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

export class AppError extends Error {
  override name = 'AppError';
  readonly code: AppCode;
  /** The input field at fault, for a validation error found past the schema (reported in data.zodError). */
  readonly field: string | undefined;

  constructor(code: AppCode, message?: string, options?: { cause?: unknown; field?: string }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.code = code;
    this.field = options?.field;
  }
}

/** The app code a bare tRPC error carries when no AppError caused it (unknown procedure, parse error, …). */
export function appCodeForTrpcCode(code: string): AppCode {
  switch (code) {
    case 'PARSE_ERROR':
    case 'BAD_REQUEST':
    case 'METHOD_NOT_SUPPORTED':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'BAD_REQUEST';
    case 'UNAUTHORIZED':
      return 'UNAUTHORIZED';
    case 'FORBIDDEN':
      return 'FORBIDDEN';
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'CONFLICT':
      return 'CONFLICT';
    case 'PRECONDITION_FAILED':
      return 'PRECONDITION_FAILED';
    case 'PAYLOAD_TOO_LARGE':
      return 'PAYLOAD_TOO_LARGE';
    case 'TOO_MANY_REQUESTS':
      return 'RATE_LIMITED';
    case 'BAD_GATEWAY':
      return 'PROVIDER_UNREACHABLE';
    case 'SERVICE_UNAVAILABLE':
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

/** Seconds a client should wait before retrying a 503 (sent as Retry-After). */
export const RETRY_AFTER_SECONDS = 2;

// postgres.js connection failures, our pool-acquire bound (db/client.ts), Node socket errors, and PostgreSQL's own "cannot serve now" states:
// class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too many connections),
// 57014 (a query cancelled: the statement timeout).
const UNAVAILABLE_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'POOL_ACQUIRE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);

/** True when the error, or anything in its cause chain, says the database cannot be reached or answer now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    // An AggregateError (a connect to every address of a host failed) carries the socket errors in `errors`.
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some(isDatabaseUnavailable)) return true;
    current = current.cause;
  }
  return false;
}

/** The code of the first error in the chain that names one (ECONNREFUSED, 57P01, …), for a log line. */
export function databaseCauseCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/**
 * The one place a fault becomes a domain error: an AppError passes, a database that does not answer becomes
 * SERVICE_UNAVAILABLE (503, Retry-After), anything else is returned unchanged (and answered as a 500).
 */
export function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
  return error;
}
