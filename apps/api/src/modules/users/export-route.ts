// GET /api/export (API.md): the signed-in user's data as one JSON document, the shape of users.exportData, streamed
// as a download. Chats and messages come from keyset cursors in batches and are written as the client reads them,
// so the server's memory stays flat however large the account; a client that leaves stops the reading.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type ContextDeps, createRequestContext } from '../../shared/context.ts';
import { AppError } from '../../shared/lib/errors.ts';
import { exportChatsJson, importRoutePlugin } from '../chat/index.ts';
import { exportHeader } from './service.ts';

export const EXPORT_PATH = '/api/export';

/** What the response holds before Node pauses the reading: the reading never runs more than a batch ahead. */
const STREAM_HIGH_WATER_MARK = 64 * 1024;

export async function exportRoutePlugin(app: FastifyInstance, deps: ContextDeps) {
  const contextOf = createRequestContext(deps);
  // POST /api/import, its counterpart, in a scope of its own (it reads its body as a stream).
  await app.register(importRoutePlugin, deps);

  app.get(EXPORT_PATH, async (request, reply) => {
    const ctx = await contextOf(request);
    if (ctx.contextError instanceof AppError) return refuse(reply, ctx.contextError, request.id);
    if (ctx.contextError) throw ctx.contextError;
    if (!ctx.user) return refuse(reply, new AppError('UNAUTHORIZED'), request.id);

    const header = await exportHeader({ db: deps.db, userId: ctx.user.id });
    const chats = exportChatsJson({ db: deps.db, userId: ctx.user.id });
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="parley-export-${day}.json"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(exportDocument(header, chats), { objectMode: false, highWaterMark: STREAM_HIGH_WATER_MARK }));
  });
}

/** `{"user":…,"preferences":…,"providers":[…],"chats":[…]}`; JSON.stringify writes dates as ISO strings. */
async function* exportDocument(header: object, chats: AsyncIterable<string>): AsyncGenerator<string> {
  yield `${JSON.stringify(header).slice(0, -1)},"chats":`;
  yield* chats;
  yield '}';
}

const STATUS: Partial<Record<AppError['code'], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

function refuse(reply: FastifyReply, error: AppError, requestId: string) {
  const status = STATUS[error.code] ?? 400;
  if (status === 429) reply.header('retry-after', '60');
  return reply.code(status).header('cache-control', 'no-store').send({
    error: error.code,
    code: error.code,
    message: error.message,
    requestId,
  });
}
