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

type TrackedEvent = ReturnType<typeof delta>;

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

/**
 * The events of a reply known to be the user's, from what the client has (lastEventId) to its final event. A reply
 * generating here is followed on this server's hub; any other is read from its row, then followed on the bus (written
 * by another server, or closed by whichever server finds its writer gone): followers never poll the database.
 */
export async function* followReply(options: StreamOptions) {
  const { engine, hub, messageId, signal } = options;
  const seen = seenFrom(options.lastEventId);

  // Listen before reading the state, or events could fall in the gap.
  const queue = createQueue<StreamEvent>(signal);
  const live = engine.snapshot(messageId);
  const unsubscribe = live
    ? hub.subscribe(messageId, queue.push)
    : hub.follow(messageId, Number.isFinite(seen) ? seen : 0, queue.push);
  try {
    let state = live ? yield* fromText(live.text, seen) : yield* readStored(options, seen);
    if (state.ended) return;
    for await (const event of queue) {
      state = yield* onEvent(options, event, state.seen);
      if (state.ended) return;
    }
  } finally {
    unsubscribe();
    options.release?.();
  }
}

interface Progress {
  ended: boolean;
  /** How much of the text the client has. */
  seen: number;
}

function* fromText(text: string, seen: number): Generator<TrackedEvent, Progress> {
  if (text.length <= seen) return { ended: false, seen };
  yield delta(text, seen);
  return { ended: false, seen: text.length };
}

async function* onEvent(options: StreamOptions, event: StreamEvent, seen: number) {
  // Ended without a final event: its row says how (or it is still open, and the sweep will close it).
  if (event.type === 'gone') return yield* readStored(options, seen);
  if (event.type !== 'delta') {
    if (event.message.text.length > seen) yield delta(event.message.text, seen);
    yield final(event.message);
    return { ended: true, seen };
  }
  if (event.end <= seen) return { ended: false, seen };
  const start = event.end - event.delta.length;
  let from = seen;
  if (start > seen) {
    // A gap (the bus lost entries): the row has the text up to its last checkpoint; the next events follow it.
    const stored = yield* readStored(options, seen);
    // Still short of this delta: the rest comes whole with the final event.
    if (stored.ended || event.end <= stored.seen || start > stored.seen) return stored;
    from = stored.seen;
  }
  yield tracked(String(event.end), {
    type: 'text-delta',
    delta: event.delta.slice(Math.max(0, from - start)),
  } as ClientEvent);
  return { ended: false, seen: event.end };
}

/** The reply's row: its text past `seen`, and its final event when it has ended. */
async function* readStored(options: StreamOptions, alreadySeen: number): AsyncGenerator<TrackedEvent, Progress> {
  let seen = alreadySeen;
  const row = await repository.findMessage(options.db, options.userId, options.messageId);
  if (!row) return { ended: true, seen }; // deleted with its chat
  if (row.text.length > seen) {
    yield delta(row.text, seen);
    seen = row.text.length;
  }
  if (row.status !== 'streaming' && row.status !== 'pending') {
    yield final(toMessage(row));
    return { ended: true, seen };
  }
  return { ended: false, seen };
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
