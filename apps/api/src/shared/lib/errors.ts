// One domain error type with a closed table of codes. Services throw AppError('SESSION_NOT_FOUND'); shared/trpc.ts
// maps it, in one place, to the tRPC code, HTTP status and data.appCode. The table and the data's shape are the
// clients' contract too: @parley/shared owns them (packages/shared/src/errors.ts), this module re-exports them.
import { type AppCode, ERROR_CODES } from '@parley/shared/errors';

export { type AppCode, ERROR_CODES, type ErrorData, type TrpcCode } from '@parley/shared/errors';

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
