// Turning any failure into one clear sentence (and, with --json, a machine-readable object) for stderr.
import { type AppCode, type ErrorData, errorDataOf } from '@parley/shared';
import { TRPCClientError } from '@trpc/client';
import { paint } from './output.ts';

/**
 * The exit codes, documented in `parley --help` and the README: 0 done, 1 failed (the reason is on stderr), 2 the
 * command line was wrong, 3 not logged in or the key was refused, 4 a rate limit or quota said no (try later).
 */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, AUTH: 3, LIMIT: 4 } as const;

/** A failure the CLI explains itself, with the exit code it ends with. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.ERROR) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface DescribedError {
  message: string;
  /** The tRPC code (UNAUTHORIZED, BAD_REQUEST, …) when the server answered with an error. */
  code?: string;
  /** The server's stable domain code (CHAT_NOT_FOUND, VALIDATION_FAILED, …). */
  appCode?: AppCode;
  /** Field-level validation errors, from the server's `data.zodError`. */
  fieldErrors?: Record<string, string[]>;
  formErrors?: string[];
}

/**
 * The network-level reason behind a failed fetch, or null when the error is not one: the innermost cause under
 * undici's "fetch failed" ("connect ECONNREFUSED 127.0.0.1:4000", "getaddrinfo ENOTFOUND …", "bad port"), or a
 * system error's message (ECONNRESET, …).
 */
export function connectionFailure(error: unknown): string | null {
  let failedFetch = false;
  let reason: string | null = null;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.message === 'fetch failed') failedFetch = true;
    else if (failedFetch || (typeof code === 'string' && /^E[A-Z_]+$/.test(code))) reason = current.message;
    current = current.cause;
  }
  return reason ?? (failedFetch ? 'fetch failed' : null);
}

function fieldErrorsOf(data: ErrorData): Pick<DescribedError, 'fieldErrors' | 'formErrors'> {
  const zod = data.zodError;
  if (!zod) return {};
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(zod.fieldErrors ?? {})) {
    if (messages && messages.length > 0) fieldErrors[field] = messages;
  }
  return { fieldErrors, formErrors: zod.formErrors ?? [] };
}

function describeServerError(message: string, data: ErrorData, url: string): DescribedError {
  const codes = { code: data.code, appCode: data.appCode };
  if (data.code === 'UNAUTHORIZED') {
    return {
      ...codes,
      message: `The server refused the API key (UNAUTHORIZED): ${message}. Run \`parley login --url ${url} --key <api key>\` with a valid key.`,
    };
  }
  const label = [data.code, data.appCode && data.appCode !== data.code ? data.appCode : null].filter(Boolean);
  return { ...codes, ...fieldErrorsOf(data), message: `${message} (${label.join(', ')})` };
}

export function describeError(error: unknown, url: string | undefined): DescribedError {
  if (error instanceof CliError) return { message: error.message };
  const unreachable = connectionFailure(error);
  if (unreachable !== null) {
    return { message: `Cannot reach the Parley server at ${url ?? 'the configured URL'}: ${unreachable}` };
  }
  if (error instanceof TRPCClientError) {
    const data = errorDataOf(error);
    if (data) return describeServerError(error.message, data, url ?? '<server url>');
    return { message: `Unexpected answer from the Parley server at ${url ?? 'the configured URL'}: ${error.message}` };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The human form: the sentence, then one line per field error. */
export function formatError(described: DescribedError): string {
  const lines = [`${paint.err.red(paint.err.bold('Error:'))} ${described.message}`];
  for (const message of described.formErrors ?? []) lines.push(`  ${message}`);
  for (const [field, messages] of Object.entries(described.fieldErrors ?? {})) {
    for (const message of messages) lines.push(`  ${field}: ${message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The exit code for a failure: 3 for auth, 4 for a limit, 2 for usage, else 1. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  const code = errorDataOf(error)?.code;
  if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') return EXIT.AUTH;
  if (code === 'TOO_MANY_REQUESTS') return EXIT.LIMIT;
  return EXIT.ERROR;
}

/** The exit code for an HTTP status the CLI got outside tRPC (the export route). */
export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 429) return EXIT.LIMIT;
  return EXIT.ERROR;
}
