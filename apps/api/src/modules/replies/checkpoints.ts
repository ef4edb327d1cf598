// One flush loop for every live reply of the process: each tick appends what is new of every changed reply's text in
// one statement (a heartbeat for the quiet ones), with no read-back. A crash loses at most one tick of text. Nothing
// here grows with a reply's length but the reply's own text, which the engine holds anyway.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import * as repository from './repository.ts';

export interface Checkpoint {
  id: string;
  /** The reply's text so far (the engine appends to it). */
  text: string;
  /** False until the reply's row is stored: nothing to append to before that. */
  stored: boolean;
  /** How much of `text` the row holds: UTF-16 units here, UTF-8 bytes there. */
  flushedChars: number;
  flushedBytes: number;
  lastWrite: number;
  /** The row was not where this process left it: write the whole text next tick. */
  rewrite: boolean;
}

type Pending = repository.Append & { end: number; bytes: number };

export interface CheckpointsOptions {
  db: Db;
  log: FastifyBaseLogger;
  intervalMs: number;
  /** A reply with nothing new is still touched this often, so other servers can tell it is alive. */
  heartbeatMs: number;
}

export function createCheckpoints({ db, log, intervalMs, heartbeatMs }: CheckpointsOptions) {
  const live = new Map<string, Checkpoint>();
  let timer: NodeJS.Timeout | null = null;
  let writing = false;

  /** What this tick writes: what is new of each changed reply, a heartbeat for quiet ones, and the rewrites. */
  function collect(now: number) {
    const appends: Pending[] = [];
    const rewrites: Checkpoint[] = [];
    for (const cp of live.values()) {
      if (!cp.stored) continue;
      if (cp.rewrite) {
        rewrites.push(cp);
        continue;
      }
      const end = cutPoint(cp.text);
      if (end === cp.flushedChars && now - cp.lastWrite < heartbeatMs) continue;
      const text = cp.text.slice(cp.flushedChars, end).toWellFormed();
      appends.push({ id: cp.id, fromBytes: cp.flushedBytes, text, end, bytes: Buffer.byteLength(text) });
    }
    return { appends, rewrites };
  }

  async function write(now: number, appends: Pending[], rewrites: Checkpoint[]) {
    let written: Set<string>;
    try {
      written = await repository.appendTexts(db, appends);
    } catch (error) {
      // One statement for every reply: whatever made it fail, each reply is written on its own next tick, so one
      // cannot hold back the others.
      log.warn({ err: error, replies: appends.length }, 'checkpoint of streaming replies failed');
      written = new Set();
    }
    for (const a of appends) {
      const cp = live.get(a.id);
      if (!cp) continue;
      if (written.has(a.id))
        Object.assign(cp, { flushedChars: a.end, flushedBytes: a.fromBytes + a.bytes, lastWrite: now });
      else cp.rewrite = true;
    }
    for (const cp of rewrites) {
      // What is written now, cut like an append: text that arrives during the write is appended next tick.
      const chars = cutPoint(cp.text);
      const text = cp.text.slice(0, chars).toWellFormed();
      try {
        await repository.rewriteText(db, cp.id, text);
        Object.assign(cp, {
          flushedChars: chars,
          flushedBytes: Buffer.byteLength(text),
          rewrite: false,
          lastWrite: now,
        });
      } catch (error) {
        log.warn({ err: error, messageId: cp.id }, 'checkpoint of a streaming reply failed');
      }
    }
  }

  async function tick() {
    if (writing) return; // the previous tick's statement is still running: never two at once
    const now = Date.now();
    const { appends, rewrites } = collect(now);
    if (appends.length === 0 && rewrites.length === 0) return;
    writing = true;
    try {
      await write(now, appends, rewrites);
    } catch (error) {
      log.warn({ err: error, replies: appends.length + rewrites.length }, 'checkpoint of streaming replies failed');
    } finally {
      writing = false;
    }
  }

  return {
    /** Starts checkpointing a reply; the engine appends to the returned object's text. */
    add(id: string): Checkpoint {
      const cp: Checkpoint = {
        id,
        text: '',
        stored: false,
        flushedChars: 0,
        flushedBytes: 0,
        lastWrite: Date.now(),
        rewrite: false,
      };
      live.set(id, cp);
      timer ??= setInterval(() => void tick(), intervalMs);
      return cp;
    },
    /** Stops checkpointing a reply (its final write follows); the loop stops when no reply is live. */
    remove(id: string): void {
      live.delete(id);
      if (live.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
    /** Runs one tick now (tests). */
    flush: tick,
  };
}

export type Checkpoints = ReturnType<typeof createCheckpoints>;

/** Where to cut the text for an append: never between the halves of a surrogate pair. */
function cutPoint(text: string): number {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.length - 1 : text.length;
}
