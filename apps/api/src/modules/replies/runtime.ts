// What the replies module keeps for the server's lifetime: the bus, the flush loop, the generation engine, the limits
// and the prepared statements that begin a reply. In-process by default; on Redis when several servers share users.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { ChatLimits } from '../../shared/lib/env.ts';
import { AppError } from '../../shared/lib/errors.ts';
import type { RedisConnections } from '../../shared/redis.ts';
import { type Checkpoints, createCheckpoints } from './checkpoints.ts';
import { GenerationEngine, INTERRUPTED, type ReplyObserver } from './engine.ts';
import { createLocalSlots, type GenerationSlots } from './generation-slots.ts';
import { createLocalHub, type EventHub } from './hub.ts';
import { createRedisBus } from './redis-bus.ts';
import { createRedisSlots } from './redis-slots.ts';
import * as repository from './repository.ts';
import { createStreamSlots, type StreamSlots } from './stream-slots.ts';

export interface Replies {
  hub: EventHub;
  engine: GenerationEngine;
  /** Replies (and gateway calls) generating per user, capped at limits.maxConcurrentGenerations. */
  generations: GenerationSlots;
  checkpoints: Checkpoints;
  limits: ChatLimits;
  statements: repository.ReplyStatements;
  /** Open reply streams per user and per server, capped at limits.maxStreamsPerUser and maxStreamsPerServer. */
  streamSlots: StreamSlots;
  /** Ends live replies (within limits.drainMs) and closes the bus. */
  close(): Promise<void>;
}

export interface RepliesDeps {
  db: Db;
  log: FastifyBaseLogger;
  limits: ChatLimits;
  /** Redis shared with the other servers; without it everything stays in this process. */
  redis?: RedisConnections | null;
  /** Called with the lag of each batch of events read from another server (metrics). */
  onBusLag?(ms: number): void;
  observe?: ReplyObserver;
}

export function createReplies({ db, log, limits, redis, onBusLag, observe }: RepliesDeps): Replies {
  // A reply's lease: its heartbeat (a checkpoint) every quarter of STALE_GENERATION_MS, and every server sweeps for
  // expired ones as often.
  const leaseTickMs = Math.max(250, Math.floor(limits.staleGenerationMs / 4));
  const hub = redis
    ? createRedisBus({ connect: redis.connect, prefix: redis.prefix, log, onLag: onBusLag })
    : createLocalHub();
  const slots = redis
    ? createRedisSlots(
        redis.connect('parley-slots'),
        redis.prefix,
        limits.maxConcurrentGenerations,
        limits.staleGenerationMs,
      )
    : createLocalSlots(limits.maxConcurrentGenerations);
  const checkpoints = createCheckpoints({
    db,
    log,
    intervalMs: limits.checkpointIntervalMs,
    heartbeatMs: Math.max(limits.checkpointIntervalMs, leaseTickMs),
  });
  let engine: GenerationEngine;
  let closing: Promise<void> | undefined;
  const generations: GenerationSlots = {
    ...slots,
    async acquire(userId, id) {
      if (!engine.accepting) throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; try again');
      try {
        await slots.acquire(userId, id);
      } catch (error) {
        if (error instanceof AppError) throw error;
        log.warn({ err: { message: (error as Error).message } }, 'could not take a reply slot');
        throw new AppError('SERVICE_UNAVAILABLE');
      }
    },
  };
  engine = new GenerationEngine({
    db,
    hub,
    checkpoints,
    generations,
    log,
    providerIdleTimeoutMs: limits.providerIdleTimeoutMs,
    leases: { everyMs: leaseTickMs, staleMs: limits.staleGenerationMs },
    observe,
  });
  return {
    hub,
    engine,
    generations,
    checkpoints,
    limits,
    statements: repository.replyStatements(db),
    streamSlots: createStreamSlots(limits.maxStreamsPerUser, limits.maxStreamsPerServer),
    close() {
      closing ??= engine.shutdown(limits.drainMs).then(() => hub.close());
      return closing;
    },
  };
}

/** At start: replies left streaming by a process that died (no heartbeat for a while) are closed as errors. */
export async function closeInterruptedReplies(db: Db, limits: ChatLimits): Promise<number> {
  const rows = await repository.closeStaleStreaming(db, new Date(Date.now() - limits.staleGenerationMs), INTERRUPTED);
  return rows.length;
}
