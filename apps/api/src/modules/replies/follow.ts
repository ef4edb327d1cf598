// Following a reply (chat.stream, chat.sendAndStream). Events are tracked by the length of the text the client has, so a client that
// reconnects with lastEventId gets exactly the rest, however the deltas were cut; a finished reply replays whole.
import { tracked } from '@trpc/server';
import type { Db } from '../../shared/db/client.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { GenerationEngine } from './engine.ts';
import type { EventHub, StreamEvent } from './hub.ts';
import { toMessage } from './messages.ts';
import * as repository from './repository.ts';
import type { Message } from './schema.ts';
import type { StreamSlots } from './stream-slots.ts';

export type ClientEvent = { type: 'text-delta'; delta: string } | { type: 'finish' | 'error'; message: Message };

export interface StreamOptions {
  db: Db;
  engine: GenerationEngine;
  hub: EventHub;
  userId: string;
  messageId: string;
  lastEventId: string | null | undefined;
  signal: AbortSignal | undefined;
  /** How often to re-read a reply that is streaming but not in this process (another server is writing it). */
  pollMs: number;
  /** Frees the user's stream slot (stream-slots.ts) when the stream ends. */
  release?: () => void;
}

const END = 'end:';

/** How much of the text the client already has: an offset, or everything (it saw the final event). */
function seenFrom(lastEventId: string | null | undefined): number {
  if (!lastEventId) return 0;
  if (lastEventId.startsWith(END)) return Number.POSITIVE_INFINITY;
  const offset = Number.parseInt(lastEventId, 10);
  return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

function delta(text: string, from: number) {
  return tracked(String(text.length), { type: 'text-delta', delta: text.slice(from) } as ClientEvent);
}

function final(message: Message) {
  const type = message.status === 'error' ? 'error' : 'finish';
  return tracked(`${END}${message.text.length}`, { type, message } as ClientEvent);
}

/**
 * Checks the reply is the user's, and takes one of the user's stream slots, before anything streams (an error inside
 * a stream cannot carry its code).
 */
export async function openStream(options: StreamOptions & { slots?: StreamSlots }) {
  const row = await repository.findMessage(options.db, options.userId, options.messageId);
  if (row?.role !== 'assistant') throw new AppError('MESSAGE_NOT_FOUND');
  const release = options.slots?.take(options.userId, options.signal);
  return followReply({ ...options, release });
}

/** The events of a reply known to be the user's, from what the client has (lastEventId) to its final event. */
export async function* followReply(options: StreamOptions) {
  const { engine, hub, messageId, signal } = options;
  let seen = seenFrom(options.lastEventId);

  // Listen before reading the state, or events could fall in the gap.
  const queue = createQueue<StreamEvent>(signal);
  const unsubscribe = hub.subscribe(messageId, queue.push);
  try {
    const live = engine.snapshot(messageId);
    if (!live) {
      yield* replayStored(options, seen);
      return;
    }
    if (live.text.length > seen) {
      yield delta(live.text, seen);
      seen = live.text.length;
    }
    for await (const event of queue) {
      if (event.type === 'gone') {
        yield* replayStored(options, seen);
        return;
      }
      if (event.type !== 'delta') {
        if (event.message.text.length > seen) yield delta(event.message.text, seen);
        yield final(event.message);
        return;
      }
      if (event.end <= seen) continue;
      const start = event.end - event.delta.length;
      yield tracked(String(event.end), {
        type: 'text-delta',
        delta: event.delta.slice(Math.max(0, seen - start)),
      } as ClientEvent);
      seen = event.end;
    }
  } finally {
    unsubscribe();
    options.release?.();
  }
}

/** A reply not generating in this process: finished (replay it), or written elsewhere (follow its checkpoints). */
async function* replayStored(options: StreamOptions, alreadySeen: number) {
  let seen = alreadySeen;
  for (;;) {
    const row = await repository.findMessage(options.db, options.userId, options.messageId);
    if (!row) return; // deleted with its chat while followed
    if (row.text.length > seen) {
      yield delta(row.text, seen);
      seen = row.text.length;
    }
    if (row.status !== 'streaming' && row.status !== 'pending') {
      yield final(toMessage(row));
      return;
    }
    if (options.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

/** An async queue that ends when the signal aborts. */
function createQueue<T>(signal: AbortSignal | undefined) {
  const items: T[] = [];
  let wake: (() => void) | null = null;
  let ended = signal?.aborted ?? false;
  signal?.addEventListener('abort', () => {
    ended = true;
    wake?.();
  });
  return {
    push(item: T) {
      items.push(item);
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      while (!ended || items.length > 0) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
  };
}
