// Stopping a reply, from any server: the upstream call is aborted and the partial text kept as `stopped`.
// The server that writes the reply stops it (here, or asked over the bus); when no server answers (its owner died,
// or it was never live), the stop is a compare-and-set on the row. Either way the reply ends once, with one final
// event: a stop racing a finish has one winner.
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { GenerationEngine } from './engine.ts';
import type { EventHub, StreamEvent } from './hub.ts';
import { toMessage } from './messages.ts';
import * as repository from './repository.ts';
import type { Message } from './schema.ts';

/** How long a stop waits for the owner's final event before it closes the reply itself. */
const OWNER_ANSWER_MS = 2_000;

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
}): Promise<Message> {
  const row = await repository.findMessage(db, userId, messageId);
  if (row?.role !== 'assistant') throw new AppError('MESSAGE_NOT_FOUND');
  const stopped = await engine.stop(messageId);
  if (stopped) return stopped;
  if (row.status !== 'streaming' && row.status !== 'pending') return toMessage(row);
  const answered = await askOwner(engine.hub, messageId, row.text.length);
  if (answered) return answered;
  const closed = await repository.stopUnowned(db, userId, messageId);
  if (closed) {
    const message = toMessage(closed);
    engine.hub.publish(messageId, { type: 'finish', message });
    return message;
  }
  return toMessage((await repository.findMessage(db, userId, messageId)) ?? row);
}

/** Asks the owning server to stop the reply and waits for its final event; undefined when nobody answers. */
async function askOwner(hub: EventHub, messageId: string, from: number): Promise<Message | undefined> {
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const final = new Promise<Message | undefined>((resolve) => {
    unsubscribe = hub.follow(messageId, from, (event: StreamEvent) => {
      if (event.type === 'finish' || event.type === 'error') resolve(event.message);
      else if (event.type === 'gone') resolve(undefined);
    });
    timer = setTimeout(() => resolve(undefined), OWNER_ANSWER_MS);
  });
  try {
    if (!(await hub.requestStop(messageId))) return undefined; // no other server to ask
    return await final;
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
}
