// POST /api/import?format=chatgpt|parley (API.md): a ChatGPT conversations.json or a Parley export as the body,
// never whole in memory: spooled to a temporary file as it arrives (bounded in size), then read back a conversation
// at a time, each stored whole or not at all, answered with a report. Authenticated like every call (cookie with a
// trusted Origin, or x-api-key).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ContextDeps, createRequestContext } from '../../shared/context.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { type ImportFormat, type ImportOptions, ImportStopped, importConversations } from './import.ts';

export const IMPORT_PATH = '/api/import';

/** A file may be at most this large, and one conversation in it this many characters. */
export const IMPORT_LIMITS = { maxBytes: 1024 * 1024 * 1024, maxConversationChars: 64 * 1024 * 1024 };

const FORMATS = new Set<ImportFormat>(['chatgpt', 'parley']);

export async function importRoutePlugin(app: FastifyInstance, deps: ContextDeps) {
  const contextOf = createRequestContext(deps);
  // This scope only: the body is handed over as the request's stream, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.post(IMPORT_PATH, async (request, reply) => {
    const ctx = await contextOf(request);
    if (ctx.contextError instanceof AppError) return refuse(reply, ctx.contextError, request.id);
    if (ctx.contextError) throw ctx.contextError;
    if (!ctx.user) return refuse(reply, new AppError('UNAUTHORIZED'), request.id);
    const input = readInput(request);
    if (input instanceof AppError) return refuse(reply, input, request.id);
    // The upload is written to disk at once, so it ends within REQUEST_TIMEOUT_MS however long the storing takes;
    // while the conversations are stored the connection is quiet, so its idle timeout is lifted for this request.
    const dir = await mkdtemp(join(tmpdir(), 'parley-import-'));
    try {
      const file = join(dir, 'upload.json');
      const spooled = await spool(input.body, file, IMPORT_LIMITS.maxBytes);
      if (spooled instanceof AppError) return refuse(reply, spooled, request.id);
      request.raw.socket.setTimeout(0);
      const body = createReadStream(file, { highWaterMark: 256 * 1024 });
      return await runImport(reply, request.id, { db: deps.db, userId: ctx.user.id, ...input, body, ...IMPORT_LIMITS });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Writes the body to `file`; PAYLOAD_TOO_LARGE as soon as it passes `maxBytes`. */
async function spool(body: Readable, file: string, maxBytes: number): Promise<true | AppError> {
  let bytes = 0;
  const bound = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? new TooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(body, bound, createWriteStream(file));
    return true;
  } catch (error) {
    if (error instanceof TooLarge)
      return new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${maxBytes} bytes`);
    throw error;
  }
}

class TooLarge extends Error {}

/** The report, or the report so far with why the file could not be read to its end (400, or 413 when too large). */
async function runImport(reply: FastifyReply, requestId: string, options: ImportOptions) {
  try {
    const report = await importConversations(options);
    return reply.header('cache-control', 'no-store').send(report);
  } catch (error) {
    if (!(error instanceof ImportStopped)) throw error;
    const code = error.tooLarge ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED';
    return refuse(reply, new AppError(code, error.message), requestId, error.report);
  }
}

/** The format asked for and the body as a stream, or what is wrong with them. */
function readInput(request: FastifyRequest): { format: ImportFormat; body: Readable } | AppError {
  const format = (request.query as { format?: string }).format as ImportFormat;
  if (!FORMATS.has(format)) return new AppError('VALIDATION_FAILED', 'format must be chatgpt or parley');
  const body = request.body as Readable | undefined;
  if (!body || typeof (body as Partial<Readable>)[Symbol.asyncIterator] !== 'function') {
    return new AppError('VALIDATION_FAILED', 'the body is the file to import');
  }
  return { format, body };
}

const STATUS: Partial<Record<AppError['code'], number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
};

function refuse(reply: FastifyReply, error: AppError, requestId: string, report?: object) {
  const status = STATUS[error.code] ?? 400;
  if (status === 429) reply.header('retry-after', '60');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error: error.code, code: error.code, message: error.message, requestId, ...(report ? { report } : {}) });
}
