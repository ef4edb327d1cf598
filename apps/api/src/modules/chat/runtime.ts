// What the chat module keeps for the server's lifetime: the event hub and the generation engine.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { ChatLimits } from '../../shared/lib/env.ts';
import { GenerationEngine, INTERRUPTED } from './engine.ts';
import { createLocalHub, type EventHub } from './hub.ts';
import * as repository from './repository.ts';

export interface ChatRuntime {
  hub: EventHub;
  engine: GenerationEngine;
  limits: ChatLimits;
}

export function createChatRuntime({ db, log, limits }: { db: Db; log: FastifyBaseLogger; limits: ChatLimits }) {
  const hub = createLocalHub();
  const engine = new GenerationEngine({
    db,
    hub,
    log,
    checkpointIntervalMs: limits.checkpointIntervalMs,
    heartbeatMs: Math.max(limits.checkpointIntervalMs, Math.floor(limits.staleGenerationMs / 4)),
  });
  return { hub, engine, limits } satisfies ChatRuntime;
}

/** At start: replies left streaming by a process that died (no heartbeat for a while) are closed as errors. */
export function closeInterruptedReplies(db: Db, limits: ChatLimits): Promise<number> {
  return repository.closeStaleStreaming(db, new Date(Date.now() - limits.staleGenerationMs), INTERRUPTED);
}
