// The reply bus on Redis: the server that owns a reply appends its events to a Redis stream per reply; followers on
// any server read it with blocking reads, resuming after the text offset they have. Entry ids are the tracked() ids
// clients see: a delta's entry id is `<end>-0` (the reply's length after it), so "everything after offset N" is a read
// after `N-0`. Final events (and `gone`) take an auto id, larger than any offset: they are the last entry.
//
// Writes are batched without waiting: an event goes out at once when no write is in flight, else with the next
// write (one pipeline carries every reply's pending events), so a quiet server adds no delay and a busy one sends
// few round trips. One reader connection per server reads every followed stream in one XREAD; a new follower wakes
// it with CLIENT UNBLOCK. Stop requests travel on a pub/sub channel to every server; the owner acts on them.
import type { FastifyBaseLogger } from 'fastify';
import type { ChainableCommander, Redis } from 'ioredis';
import { createLocalHub, type EventHub, type Listener, type StreamEvent } from './hub.ts';
import type { Message } from './schema.ts';

export interface RedisBusOptions {
  /** Makes a new connection (the bus needs three: commands, the blocking reader, the stop channel). */
  connect(name: string): Redis;
  /** Starts every key and channel. */
  prefix: string;
  log: FastifyBaseLogger;
  /** How long a stream lives after its last write while the reply goes on (a crashed owner's stream expires). */
  liveTtlMs?: number;
  /** How long a finished reply's stream stays for followers to resume from (then they replay from PostgreSQL). */
  endTtlMs?: number;
  /** Called with the lag of each batch a reader gets (ms from the owner's write to the read), for metrics. */
  onLag?(ms: number): void;
}

type ReadResult = [key: string, entries: [id: string, fields: string[]][]][];

type Id = [number, number];
const parseId = (id: string): Id => {
  const dash = id.indexOf('-');
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
};
const after = (a: Id, b: Id) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

interface Follower {
  listener: Listener;
  /** The last entry this follower has had. */
  cursor: Id;
}

export function createRedisBus(options: RedisBusOptions): EventHub {
  const { connect, log } = options;
  const STOP_CHANNEL = `${options.prefix}reply-stop`;
  const KEY_PREFIX = `${options.prefix}reply:`;
  const streamKey = (messageId: string) => `${KEY_PREFIX}${messageId}`;
  const liveTtlMs = options.liveTtlMs ?? 3_600_000;
  const endTtlMs = options.endTtlMs ?? 120_000;
  const local = createLocalHub();
  const commands = connect('parley-bus');
  const reader = connect('parley-bus-reader');
  const stops = connect('parley-bus-stops');
  let closed = false;

  // --- writing -------------------------------------------------------------------------------------------------
  const pending = new Map<string, StreamEvent[]>();
  let writing = false;

  function enqueue(messageId: string, event: StreamEvent) {
    let list = pending.get(messageId);
    if (!list) {
      list = [];
      pending.set(messageId, list);
    }
    list.push(event);
    if (!writing) queueMicrotask(() => void flush());
  }

  /** One reply's pending events as stream entries: consecutive deltas as one (the id is the end of the last). */
  function appendEvents(pipeline: ChainableCommander, messageId: string, events: StreamEvent[], now: string) {
    const key = streamKey(messageId);
    let ended = false;
    let text = '';
    let end = 0;
    const writeDelta = () => {
      if (text) pipeline.xadd(key, `${end}-0`, 'd', text, 't', now);
      text = '';
    };
    for (const event of events) {
      if (event.type === 'delta') {
        text += event.delta;
        end = event.end;
        continue;
      }
      writeDelta();
      ended = true;
      if (event.type === 'gone') pipeline.xadd(key, '*', 'g', '', 't', now);
      else pipeline.xadd(key, '*', 'f', JSON.stringify(event.message), 't', now);
    }
    writeDelta();
    pipeline.pexpire(key, ended ? endTtlMs : liveTtlMs);
  }

  async function flush() {
    if (writing || pending.size === 0 || closed) return;
    writing = true;
    const batch = [...pending];
    pending.clear();
    const pipeline = commands.pipeline();
    const now = String(Date.now());
    for (const [messageId, events] of batch) appendEvents(pipeline, messageId, events, now);
    try {
      const results = (await pipeline.exec()) ?? [];
      // An entry refused for its id (a delta after another server closed the reply) changes nothing: log the rest.
      const failed = results.filter(([error]) => error && !String(error.message).includes('equal or smaller'));
      if (failed.length > 0) log.warn({ err: failed[0]?.[0], failed: failed.length }, 'writing reply events failed');
    } catch (error) {
      log.warn({ err: error }, 'writing reply events to Redis failed');
    } finally {
      writing = false;
      if (pending.size > 0) queueMicrotask(() => void flush());
    }
  }

  // --- reading -------------------------------------------------------------------------------------------------
  const followed = new Map<string, Set<Follower>>();
  let readerId: number | null = null;
  let blocked = false;
  /** A follower came after the reader's current XREAD was sent: it must read again with the new stream. */
  let dirty = false;
  let loop: Promise<void> | null = null;
  reader.on('ready', () => {
    readerId = null; // a new connection has a new client id
  });

  function wake() {
    dirty = true;
    if (!loop) loop = readLoop();
    else void unblock();
  }

  let unblocking = false;
  /**
   * Ends the reader's blocking read, one attempt at a time however many followers arrive. The read may not have
   * reached Redis yet (it goes on another connection, and a busy machine delays it): then try again, for a few
   * seconds at most, until the read has ended (a new one lists every follower).
   */
  async function unblock() {
    if (unblocking) return;
    unblocking = true;
    try {
      for (let tries = 0; tries < 200 && blocked && readerId !== null && dirty; tries++) {
        if (Number(await commands.client('UNBLOCK', readerId).catch(() => 0)) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1 + tries, 20)));
      }
    } finally {
      unblocking = false;
    }
  }

  /** Every followed stream, each from the earliest cursor of its followers. */
  function streamsToRead(): string[] {
    const keys: string[] = [];
    const ids: string[] = [];
    for (const [messageId, set] of followed) {
      let min: Id | null = null;
      for (const f of set) if (!min || after(min, f.cursor)) min = f.cursor;
      keys.push(streamKey(messageId));
      ids.push(`${min?.[0] ?? 0}-${min?.[1] ?? 0}`);
    }
    return [...keys, ...ids];
  }

  async function readOnce() {
    readerId ??= Number(await reader.client('ID'));
    // From here to the XREAD nothing awaits: a follower added before is in `streams`, one added after finds the
    // read blocked and unblocks it (a follower added while the client id was asked for was neither, and waited for
    // the BLOCK to run out).
    dirty = false;
    const streams = streamsToRead();
    blocked = true;
    try {
      return (await reader.xread('COUNT', 1_000, 'BLOCK', 10_000, 'STREAMS', ...streams)) as ReadResult | null;
    } finally {
      blocked = false;
    }
  }

  async function readLoop() {
    while (!closed && followed.size > 0) {
      try {
        const result = await readOnce();
        if (result) deliver(result, Date.now());
      } catch (error) {
        if (closed) break;
        log.warn({ err: error }, 'reading reply events from Redis failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    loop = null;
  }

  function deliver(result: ReadResult, now: number) {
    for (const [key, entries] of result) {
      const set = followed.get(key.slice(KEY_PREFIX.length));
      if (!set) continue;
      for (const [rawId, fields] of entries) deliverEntry(set, parseId(rawId), fields, now);
    }
  }

  /** An entry to each follower that has not had it yet. */
  function deliverEntry(set: Set<Follower>, id: Id, fields: string[], now: number) {
    const written = Number(fields[fields.indexOf('t') + 1]);
    if (options.onLag && Number.isFinite(written)) options.onLag(now - written);
    const event = toEvent(fields, id);
    for (const f of [...set]) {
      if (!after(id, f.cursor)) continue;
      f.cursor = id;
      f.listener(event);
    }
  }

  // --- stop requests -------------------------------------------------------------------------------------------
  let onStop: (messageId: string) => void = () => {};
  const subscribed = stops.subscribe(STOP_CHANNEL).catch((error: unknown) => {
    log.warn({ err: error }, 'could not subscribe to stop requests on Redis');
  });
  stops.on('message', (channel: string, messageId: string) => {
    if (channel === STOP_CHANNEL) onStop(messageId);
  });

  return {
    publish(messageId, event) {
      local.publish(messageId, event);
      enqueue(messageId, event);
    },
    subscribe: local.subscribe,
    follow(messageId, from, listener) {
      const unsubscribeLocal = local.subscribe(messageId, listener);
      const follower: Follower = { listener, cursor: [from, 0] };
      let set = followed.get(messageId);
      if (!set) {
        set = new Set();
        followed.set(messageId, set);
      }
      set.add(follower);
      wake();
      return () => {
        unsubscribeLocal();
        set.delete(follower);
        if (set.size === 0) followed.delete(messageId);
      };
    },
    async requestStop(messageId) {
      await subscribed;
      await commands.publish(STOP_CHANNEL, messageId);
      return true;
    },
    onStopRequest(handler) {
      onStop = handler;
    },
    async close() {
      closed = true;
      await flush().catch(() => {});
      if (blocked && readerId !== null) await commands.client('UNBLOCK', readerId).catch(() => {});
      await Promise.all([reader, stops, commands].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function toEvent(fields: string[], id: Id): StreamEvent {
  const kind = fields[0];
  const value = fields[1] ?? '';
  if (kind === 'd') return { type: 'delta', delta: value, end: id[0] };
  if (kind === 'g') return { type: 'gone' };
  const message = JSON.parse(value) as Message;
  message.createdAt = new Date(message.createdAt);
  message.updatedAt = new Date(message.updatedAt);
  return { type: message.status === 'error' ? 'error' : 'finish', message };
}
