// One log line per request, written by Fastify's log controller when the response is done: method, route pattern,
// status, duration, request id and the user when known. It replaces Fastify's own two lines per request (which
// carry the raw URL, and every header with the default serializers). Never the raw URL: its query string can carry
// an API key or a tRPC input (the user's text).
import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { levels } from 'pino';
import type { LogLevel } from '../lib/env.ts';

/** Longest procedure list kept from a tRPC path (a batch names every procedure). */
const MAX_PROCEDURES_CHARS = 200;

export class RequestLogController extends LogController {
  readonly #enabled: boolean;

  constructor(level: LogLevel) {
    super();
    // The level is fixed for the process's life: below info, nothing is even assembled.
    this.#enabled = level !== 'silent' && (levels.values[level] ?? 0) <= (levels.values.info ?? 30);
  }

  override incomingRequest(): void {}

  /** The request's one line; at error level when the response itself failed (the connection broke). */
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!this.#enabled && !error) return;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      procedures: procedures(request),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      userId: request.userId,
    };
    if (error) request.log.error({ ...line, err: error }, 'request failed while responding');
    else request.log.info(line, 'request');
  }

  /** Fastify's line names the raw URL; the request line says 404 already. */
  override routeNotFound(): void {}
}

export function addRequestLogging(app: FastifyInstance): void {
  app.decorateRequest('userId', null);
}

/** For /trpc/:path, the procedure names (never the input); undefined elsewhere, so the field is left out. */
function procedures(request: FastifyRequest): string | undefined {
  const path = (request.params as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string' || request.routeOptions.url !== '/trpc/:path') return undefined;
  return path.length > MAX_PROCEDURES_CHARS ? `${path.slice(0, MAX_PROCEDURES_CHARS)}…` : path;
}
