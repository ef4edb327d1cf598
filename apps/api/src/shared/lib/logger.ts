// Pino options for Fastify's logger: request ids, and every secret redacted wherever it appears.
import type { FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { LogLevel } from './env.ts';

const SECRET_HEADERS = ['.authorization', '.cookie', '["set-cookie"]', '["x-api-key"]'];
const SECRET_FIELDS = ['password', 'newPassword', 'currentPassword', 'apiKey', 'token', 'secret'];

/** pino redaction paths: secret headers on requests and replies, secret fields at the top and four levels down. */
export const REDACT_PATHS = [
  ...SECRET_HEADERS.flatMap((h) => [`req.headers${h}`, `res.headers${h}`, `headers${h}`]),
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`, `*.*.*.*.${f}`]),
];

export function loggerOptions(
  level: LogLevel,
  stream?: DestinationStream,
): LoggerOptions & { stream?: DestinationStream } {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(req: FastifyRequest) {
        return { method: req.method, url: req.url, remoteAddress: req.ip, headers: req.headers };
      },
    },
    ...(stream ? { stream } : {}),
  };
}
