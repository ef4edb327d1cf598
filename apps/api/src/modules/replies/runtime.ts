// What the replies module keeps for the server's lifetime: the event hub, the flush loop, the generation engine and
// the prepared statements that begin a reply.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { ChatLimits } from '../../shared/lib/env.ts';
import { type Checkpoints, createCheckpoints } from './checkpoints.ts';
import { GenerationEngine, INTERRUPTED } from './engine.ts';
import { createLocalSlots, type GenerationSlots } from './generation-slots.ts';
import { createLocalHub, type EventHub } from './hub.ts';
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
  /** Open reply streams per user, capped at limits.maxStreamsPerUser. */
  streamSlots: StreamSlots;
}

export function createReplies({ db, log, limits }: { db: Db; log: FastifyBaseLogger; limits: ChatLimits }): Replies {
  const hub = createLocalHub();
  const generations = createLocalSlots(limits.maxConcurrentGenerations);
  const checkpoints = createCheckpoints({
    db,
    log,
    intervalMs: limits.checkpointIntervalMs,
    heartbeatMs: Math.max(limits.checkpointIntervalMs, Math.floor(limits.staleGenerationMs / 4)),
  });
  const engine = new GenerationEngine({
    db,
    hub,
    checkpoints,
    generations,
    log,
    providerIdleTimeoutMs: limits.providerIdleTimeoutMs,
    sweep: {
      everyMs: Math.max(5_000, Math.floor(limits.staleGenerationMs / 2)),
      run: () => closeInterruptedReplies(db, limits),
    },
  });
  return {
    hub,
    engine,
    generations,
    checkpoints,
    limits,
    statements: repository.replyStatements(db),
    streamSlots: createStreamSlots(limits.maxStreamsPerUser),
  };
}

/** At start: replies left streaming by a process that died (no heartbeat for a while) are closed as errors. */
export function closeInterruptedReplies(db: Db, limits: ChatLimits): Promise<number> {
  return repository.closeStaleStreaming(db, new Date(Date.now() - limits.staleGenerationMs), INTERRUPTED);
}
