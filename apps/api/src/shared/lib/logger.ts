// Pino options for Fastify's logger: JSON in production and tests, pino-pretty in development, errors reduced to
// what is safe to keep. Request lines are written by shared/plugins/request-log.ts (one per request, no headers).
import { type DestinationStream, destination, type LoggerOptions } from 'pino';
import type { Environment, LogLevel } from './env.ts';

/**
 * Fields that would hold a secret if some caller logged them. Nothing logs headers or inputs any more, so this is a
 * safety net, kept short: pino's redaction runs on every line that carries an object.
 */
export const REDACT_PATHS = ['password', 'apiKey', 'token', 'secret', '*.password', '*.apiKey', '*.token', '*.secret'];

const STACK_FRAME = /^\s+at /;
const MAX_CAUSES = 5;

/**
 * An error as a log line may carry it: its name, message, code, status, stack frames and causes, and nothing else.
 * Errors carry more than that (postgres.js its query parameters, the AI SDK the request body — the user's text —
 * and the provider's answer, Drizzle the parameters inside its message), so everything is left out unless listed.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : String(error);
  const e = error as Error & { code?: unknown; statusCode?: unknown; status?: unknown; lastError?: unknown };
  const message = safeMessage(e);
  const frames = (e.stack ?? '').split('\n').filter((line) => STACK_FRAME.test(line));
  const out: Record<string, unknown> = {
    type: e.name,
    message,
    stack: [`${e.name}: ${message}`, ...frames].join('\n'),
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  const status = e.statusCode ?? e.status;
  if (typeof status === 'number') out.statusCode = status;
  // The AI SDK's RetryError keeps its last failure in lastError rather than cause.
  const cause = e.cause ?? e.lastError;
  if (cause !== undefined && depth < MAX_CAUSES) out.cause = serializeError(cause, depth + 1);
  return out;
}

/** PostgreSQL's data exceptions (class 22) quote the value at fault: `invalid input syntax for type uuid: "…"`. */
const DATA_EXCEPTION = /^22[0-9A-Z]{3}$/;

/**
 * Drizzle puts the query's parameters (user text, token hashes) in its message: keep only the SQL text. PostgreSQL
 * quotes the offending input in a data exception's message: keep the message, not the value.
 */
function safeMessage(error: Error): string {
  const message = error.message ?? '';
  if (message.startsWith('Failed query:')) return message.split('\nparams:')[0] as string;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DATA_EXCEPTION.test(code))
    return message.replace(/:\s*"[\s\S]*$/, ': [value omitted]');
  return message;
}

/** A request as a line may show it (Fastify logs `req` on a few failures): never the raw URL, never headers. */
export function serializeRequest(request: { method?: string; routeOptions?: { url?: string } }) {
  return { method: request.method, route: request.routeOptions?.url ?? null };
}

export interface LoggerSetup {
  level: LogLevel;
  env: Environment;
  /** Where lines go instead of stdout (tests capture them); always JSON. */
  stream?: DestinationStream;
}

export async function loggerOptions({
  level,
  env,
  stream,
}: LoggerSetup): Promise<LoggerOptions & { stream?: DestinationStream }> {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError, req: serializeRequest },
  };
  if (stream) return { ...options, stream };
  if (level === 'silent') return options;
  // Lines go out asynchronously, several per write under load (sonic-boom), and are flushed on exit: a synchronous
  // write per request was ~8 % of the server's CPU on chat.list. A kill -9 can lose the last lines.
  if (env !== 'development') return { ...options, stream: destination({ dest: 1, sync: false }) };
  // Readable lines for a person at a terminal; loaded only here, so production never pays for it. In-process
  // (sync) rather than as a transport: no worker thread to start.
  const { default: pretty } = await import('pino-pretty');
  return {
    ...options,
    stream: pretty({
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: `pid,hostname,reqId,${REQUEST_FIELDS.join(',')}`,
      messageFormat: prettyMessage,
    }),
  };
}

/** The fields of a request's line (shared/plugins/request-log.ts), which pino-pretty shows on the message line. */
const REQUEST_FIELDS = ['method', 'route', 'procedures', 'status', 'ms', 'userId'];

/** `GET /trpc/users.me 200 3.1 ms user <id> [<request id>]`: one line per request in development too. */
function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const id = log.reqId ? ` [${log.reqId}]` : '';
  if (log[messageKey] !== 'request') return `${log[messageKey]}${id}`;
  const user = log.userId ? ` user ${log.userId}` : '';
  const target = log.procedures ? `/trpc/${log.procedures}` : (log.route ?? '(no route)');
  return `${log.method} ${target} ${log.status} ${log.ms} ms${user}${id}`;
}
