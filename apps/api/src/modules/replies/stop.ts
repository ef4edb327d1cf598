// Stopping a reply: the upstream call is aborted and the partial text kept as `stopped`.
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { GenerationEngine } from './engine.ts';
import { toMessage } from './messages.ts';
import * as repository from './repository.ts';

export async function stopReply({
  db,
  userId,
  messageId,
  engine,
}: {
  db: Db;
  userId: string;
  messageId: string;
  engine: GenerationEngine;
}) {
  const row = await repository.findMessage(db, userId, messageId);
  if (row?.role !== 'assistant') throw new AppError('MESSAGE_NOT_FOUND');
  const stopped = await engine.stop(messageId);
  if (stopped) return stopped;
  return toMessage((await repository.findMessage(db, userId, messageId)) ?? row);
}
