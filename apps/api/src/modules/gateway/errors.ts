// OpenAI's error shape and statuses: `{ error: { message, type, param, code } }`. The official SDKs turn the status
// into their typed errors (400 BadRequestError, 401 AuthenticationError, 404 NotFoundError, 429 RateLimitError, …).
// A provider's failure is described in our words (providers/client.ts): never its key, never its raw answer.
import { APICallError, InvalidPromptError, UnsupportedFunctionalityError } from 'ai';
import { AppError, toAppError } from '../../shared/lib/errors.ts';
import { OutboundUrlError } from '../../shared/lib/outbound.ts';

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error';

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  readonly code: string | null;
  /** Seconds, sent as Retry-After (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(
    status: number,
    message: string,
    options: {
      type?: OpenAIErrorType;
      param?: string | null;
      code?: string | null;
      retryAfter?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.type = options.type ?? typeForStatus(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfter = options.retryAfter;
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function typeForStatus(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, { param, code });

/** Our domain errors in OpenAI's terms. */
export function fromAppError(error: AppError): GatewayError {
  switch (error.code) {
    case 'UNAUTHORIZED':
      return new GatewayError(401, error.message, { code: 'invalid_api_key' });
    case 'FORBIDDEN':
      return new GatewayError(403, error.message, { code: 'forbidden' });
    case 'RATE_LIMITED':
      return new GatewayError(429, error.message, { code: 'rate_limit_exceeded', retryAfter: 60 });
    case 'QUOTA_EXCEEDED':
      return new GatewayError(403, error.message, { type: 'insufficient_quota', code: 'insufficient_quota' });
    case 'TOO_MANY_GENERATIONS':
      return new GatewayError(429, error.message, { code: 'too_many_generations', retryAfter: 1 });
    case 'SERVICE_UNAVAILABLE':
      return new GatewayError(503, error.message, { type: 'api_error', code: 'service_unavailable', retryAfter: 2 });
    case 'CHAT_NOT_FOUND':
      return new GatewayError(404, error.message, { code: 'chat_not_found', param: 'x-parley-chat-id' });
    case 'INTERNAL':
      return new GatewayError(500, 'Internal server error', { cause: error });
    default: {
      const status = error.code === 'NO_PROVIDER' || error.code.endsWith('NOT_FOUND') ? 404 : 400;
      return new GatewayError(status, error.message, { code: error.code.toLowerCase(), param: error.field ?? null });
    }
  }
}

/** Walks an error's causes (and the AI SDK RetryError's lastError) for the first that matches. */
function findCause<T>(error: unknown, match: (e: unknown) => e is T): T | undefined {
  const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { lastError?: unknown }).lastError;
  for (let e: unknown = error, depth = 0; e && depth < 8; e = next(e), depth++) {
    if (match(e)) return e;
  }
  return undefined;
}

const isNamed =
  (...names: string[]) =>
  (e: unknown): e is Error =>
    e instanceof Error && names.includes(e.name);

/**
 * A failed provider call: 504 when it timed out or went silent, 429 when the provider rate limited us, 400 when the
 * AI SDK refused the prompt for this provider, 502 otherwise. `reason` is the providers module's key-free wording.
 */
export function fromProviderError(error: unknown, reason: string): GatewayError {
  if (error instanceof GatewayError) return error;
  const prompt = findCause(
    error,
    (e): e is Error => InvalidPromptError.isInstance(e) || UnsupportedFunctionalityError.isInstance(e),
  );
  if (prompt)
    return invalid(`the provider cannot take this request: ${prompt.message}`, null, 'unsupported_for_provider');
  if (findCause(error, isNamed('ProviderIdleError', 'ProviderSilentError', 'TimeoutError'))) {
    return new GatewayError(504, `Provider timeout: ${reason}`, { code: 'provider_timeout', cause: error });
  }
  if (findCause(error, (e): e is OutboundUrlError => e instanceof OutboundUrlError)) {
    return new GatewayError(502, `Provider error: ${reason}`, { code: 'provider_url_refused', cause: error });
  }
  const call = findCause(error, (e): e is APICallError => APICallError.isInstance(e));
  if (call?.statusCode === 429) {
    return new GatewayError(429, `Provider error: ${reason}`, {
      code: 'provider_rate_limited',
      retryAfter: retryAfterOf(call.responseHeaders) ?? 5,
      cause: error,
    });
  }
  return new GatewayError(502, `Provider error: ${reason}`, { code: 'provider_error', cause: error });
}

function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value >= 0 && value <= 3600 ? Math.ceil(value) : undefined;
}

/** Anything thrown while serving: ours mapped, the rest an internal error (logged by the caller, never shown). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const mapped = toAppError(error);
  if (mapped instanceof AppError) return fromAppError(mapped);
  return new GatewayError(500, 'Internal server error', { cause: error });
}
