// The generation engine: runs each reply apart from any request (generate.ts reads the model's stream), publishes
// its deltas, leaves its checkpoints to the
// shared flush loop, and stores how it ended. A reply belongs to the server: nobody needs to listen for it.
import type { LanguageModel, ModelMessage } from 'ai';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
import type { Checkpoint, Checkpoints } from './checkpoints.ts';
import { untilWritten } from './final-write.ts';
import { generate, type Part, ProviderIdleError } from './generate.ts';
import type { GenerationSlots } from './generation-slots.ts';
import type { EventHub } from './hub.ts';
import { replyParts, toMessage } from './messages.ts';
import * as repository from './repository.ts';
import type { Message } from './schema.ts';

export interface GenerationRequest {
  messageId: string;
  userId: string;
  chatId: string;
  model: LanguageModel;
  system: string | undefined;
  messages: ModelMessage[];
  /**
   * Resolves true once the reply's row is stored, false when it was not (the chat is gone, or the same request was
   * sent twice at once): the generation then ends without a trace. The provider call does not wait for it.
   */
  stored: Promise<boolean>;
  /** A clear, key-free reason for a failed generation. */
  describeError(error: unknown, partialText: string): string;
  /** Work to do once the reply is complete (not stopped or failed), after its final event went out. */
  onComplete?(message: Message): Promise<void>;
  /**
   * Runs once however the reply ended, after its final write: the stored reply, or undefined when it was never stored
   * or its final write failed (spend reservations are settled or released here).
   */
  onSettled?(message: Message | undefined): Promise<void>;
}

/** What the engine reports for metrics (shared/metrics.ts). */
export interface ReplyObserver {
  firstToken(seconds: number): void;
  ended(outcome: 'complete' | 'stopped' | 'error' | 'gone', outputTokensPerSecond: number | null): void;
  providerError(kind: 'idle' | 'http' | 'network' | 'other'): void;
}

interface Live {
  request: GenerationRequest;
  startedAt: number;
  firstTokenAt: number | null;
  checkpoint: Checkpoint;
  reasoning: string;
  abort: AbortController;
  stopReason: 'user' | 'shutdown' | 'unstored' | null;
  done: Promise<Message | undefined>;
}

export interface EngineOptions {
  db: Db;
  hub: EventHub;
  checkpoints: Checkpoints;
  /** The per-user limit on replies generating at once: the engine gives a reply's slot back when it ends. */
  generations: GenerationSlots;
  log: FastifyBaseLogger;
  /** PROVIDER_IDLE_TIMEOUT_MS: a provider silent this long (before or during a reply) ends it as an error. */
  providerIdleTimeoutMs?: number;
  /**
   * Leases: every `everyMs` this server renews the slots of its live replies (their checkpoints renew the rows'
   * heartbeats) and closes replies whose writer stopped (no heartbeat for `staleMs`: a crashed server, a final write
   * that never landed), telling their followers, wherever they are. Every server sweeps; the close is a
   * compare-and-set, so each reply is closed once.
   */
  leases?: { everyMs: number; staleMs: number };
  observe?: ReplyObserver;
}

export const INTERRUPTED = 'interrupted: the server stopped during this reply';

export class GenerationEngine {
  readonly #live = new Map<string, Live>();
  /** Follow-up work (titles) still running; shutdown waits for it. */
  readonly #after = new Set<Promise<void>>();
  readonly #options: EngineOptions;

  readonly #leases: NodeJS.Timeout | undefined;
  /** Shutting down: no new replies. */
  #draining = false;

  constructor(options: EngineOptions) {
    this.#options = options;
    const { leases } = options;
    this.#leases = leases
      ? setInterval(() => void this.#renewAndSweep(leases.staleMs), leases.everyMs).unref()
      : undefined;
    // Another server's chat.stop for a reply this one writes.
    options.hub.onStopRequest((messageId) => void this.stop(messageId));
  }

  /** The bus this engine publishes on (stops and followers from other servers use it too). */
  get hub(): EventHub {
    return this.#options.hub;
  }

  /** False once the server is shutting down: new replies are refused. */
  get accepting(): boolean {
    return !this.#draining;
  }

  /** Live replies on this server (metrics). */
  get liveCount(): number {
    return this.#live.size;
  }

  async #renewAndSweep(staleMs: number) {
    const { log, db, hub, generations } = this.#options;
    const live = [...this.#live.values()].map((l) => ({ userId: l.request.userId, id: l.request.messageId }));
    await generations.renew(live).catch((error: unknown) => log.warn({ err: error }, 'renewing reply slots failed'));
    try {
      const closed = await repository.closeStaleStreaming(
        db,
        new Date(Date.now() - staleMs),
        INTERRUPTED,
        live.map((l) => l.id),
      );
      for (const row of closed) {
        const message = toMessage(row);
        hub.publish(row.id, { type: 'error', message });
        // Its slot, if its server died holding it, expires with its lease; release it now all the same.
        await generations.release(row.userId, row.id).catch(() => {});
      }
      if (closed.length > 0) log.warn({ closed: closed.length }, 'closed replies whose writer stopped');
    } catch (error) {
      log.warn({ err: error }, 'closing stale replies failed');
    }
  }

  /** The text of a live reply so far, or undefined when it is not generating here. */
  snapshot(messageId: string): { text: string } | undefined {
    const live = this.#live.get(messageId);
    return live ? { text: live.checkpoint.text } : undefined;
  }

  start(request: GenerationRequest): void {
    const live: Live = {
      request,
      startedAt: performance.now(),
      firstTokenAt: null,
      checkpoint: this.#options.checkpoints.add(request.messageId),
      reasoning: '',
      abort: new AbortController(),
      stopReason: null,
      done: Promise.resolve(undefined),
    };
    this.#live.set(request.messageId, live);
    request.stored.then(
      (stored) => {
        if (stored) live.checkpoint.stored = true;
        else this.#abort(live, 'unstored');
      },
      () => this.#abort(live, 'unstored'),
    );
    live.done = this.#run(live).catch((error: unknown) => {
      this.#options.log.error({ err: error, messageId: request.messageId }, 'generation failed to finish');
      return undefined;
    });
    live.done
      .then((message) => request.onSettled?.(message))
      .catch((error: unknown) =>
        this.#options.log.warn({ err: error, messageId: request.messageId }, 'settling failed'),
      )
      .finally(() => {
        this.#live.delete(request.messageId);
        this.#options.checkpoints.remove(request.messageId);
        this.#options.generations.release(request.userId, request.messageId).catch((error: unknown) => {
          this.#options.log.warn({ err: error, messageId: request.messageId }, 'could not give a reply slot back');
        });
      });
  }

  /** Aborts the upstream call; the reply keeps its partial text as `stopped`. Resolves with the stored reply. */
  async stop(messageId: string): Promise<Message | undefined> {
    const live = this.#live.get(messageId);
    if (!live) return undefined;
    this.#abort(live, 'user');
    return live.done;
  }

  /** Stops every reply of a user (before their account is deleted). */
  stopForUser(userId: string): Promise<void> {
    return this.#stopWhere((request) => request.userId === userId);
  }

  /** Stops every reply in a chat (before the chat is deleted). */
  stopForChat(chatId: string): Promise<void> {
    return this.#stopWhere((request) => request.chatId === chatId);
  }

  async #stopWhere(match: (request: GenerationRequest) => boolean): Promise<void> {
    const ids = [...this.#live.values()].filter((l) => match(l.request)).map((l) => l.request.messageId);
    await Promise.all(ids.map((id) => this.stop(id)));
  }

  /**
   * The server is shutting down: new replies are refused, live ones may finish within `drainMs`, then the rest are
   * closed as interrupted with their text so far.
   */
  async shutdown(drainMs = 0): Promise<void> {
    this.#draining = true;
    const waiting = [...this.#live.values()].map((l) => l.done);
    if (drainMs > 0 && waiting.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(waiting),
        new Promise((resolve) => {
          timer = setTimeout(resolve, drainMs);
        }),
      ]);
      clearTimeout(timer);
    }
    clearInterval(this.#leases);
    const lives = [...this.#live.values()];
    for (const live of lives) this.#abort(live, 'shutdown');
    await Promise.all(lives.map((l) => l.done));
    await Promise.all(this.#after);
  }

  #abort(live: Live, reason: NonNullable<Live['stopReason']>) {
    live.stopReason ??= reason;
    live.abort.abort();
  }

  async #run(live: Live): Promise<Message | undefined> {
    const { request } = live;
    let outcome: Partial<repository.MessageRow>;
    try {
      outcome = await this.#generate(live);
    } catch (error) {
      if (!live.abort.signal.aborted) this.#options.observe?.providerError(errorKind(error));
      outcome = live.abort.signal.aborted
        ? this.#abortedOutcome(live)
        : {
            status: 'error',
            // Our own bound, already worded for the user; anything else is the provider's failure, described.
            error:
              error instanceof ProviderIdleError ? error.message : request.describeError(error, live.checkpoint.text),
          };
    }
    if (!(await request.stored.catch(() => false))) return this.#gone(request.messageId);
    // What a provider sends is text PostgreSQL must store: no NUL (cleaned per piece), no lone surrogate.
    const text = live.checkpoint.text.toWellFormed();
    // The reply's final write, retried while the database does not answer or its pool is full (final-write.ts): a
    // short outage or a burst of endings costs a late final event, not the reply.
    const row = await untilWritten(() =>
      repository.finishMessage(this.#options.db, request.messageId, {
        ...outcome,
        text,
        parts: replyParts(text, live.reasoning.toWellFormed()),
      }),
    ).catch((error: unknown) => {
      this.#options.log.error({ err: error, messageId: request.messageId }, 'the final write of a reply failed');
      return undefined;
    });
    if (!row) return this.#gone(request.messageId); // the chat was deleted meanwhile, or the write failed
    const message = toMessage(row);
    this.#observeEnd(live, message);
    this.#options.hub.publish(request.messageId, { type: message.status === 'error' ? 'error' : 'finish', message });
    if (message.status === 'complete' && request.onComplete) {
      const task = request
        .onComplete(message)
        .catch((error: unknown) => this.#options.log.warn({ err: error, messageId: message.id }, 'follow-up failed'))
        .finally(() => this.#after.delete(task));
      this.#after.add(task);
    }
    return message;
  }

  async #generate(live: Live): Promise<Partial<repository.MessageRow>> {
    const { request, checkpoint } = live;
    const { model, system, messages } = request;
    let finish: Omit<Extract<Part, { type: 'finish' }>, 'type'> | null = null;
    const idleTimeoutMs = this.#options.providerIdleTimeoutMs;
    for await (const part of generate({ model, system, messages, abortSignal: live.abort.signal, idleTimeoutMs })) {
      if (part.type === 'text') {
        if (live.firstTokenAt === null) {
          live.firstTokenAt = performance.now();
          this.#options.observe?.firstToken((live.firstTokenAt - live.startedAt) / 1000);
        }
        const text = withoutNul(part.text);
        checkpoint.text += text;
        this.#options.hub.publish(request.messageId, { type: 'delta', delta: text, end: checkpoint.text.length });
      } else if (part.type === 'reasoning') {
        live.reasoning += withoutNul(part.text);
      } else if (part.type === 'finish') {
        finish = { finishReason: part.finishReason, inputTokens: part.inputTokens, outputTokens: part.outputTokens };
      }
    }
    if (live.abort.signal.aborted || !finish) return this.#abortedOutcome(live);
    return { status: 'complete', error: null, ...finish };
  }

  /** Followers of a reply that ended without a final event read its row instead of waiting for one. */
  #gone(messageId: string): undefined {
    this.#options.observe?.ended('gone', null);
    this.#options.hub.publish(messageId, { type: 'gone' });
    return undefined;
  }

  #observeEnd(live: Live, message: Message) {
    const observe = this.#options.observe;
    if (!observe) return;
    const seconds = live.firstTokenAt === null ? 0 : (performance.now() - live.firstTokenAt) / 1000;
    const tokens = message.usage?.outputTokens ?? 0;
    const status = message.status === 'pending' || message.status === 'streaming' ? 'error' : message.status;
    observe.ended(status, tokens > 0 && seconds > 0 ? tokens / seconds : null);
  }

  #abortedOutcome(live: Live): Partial<repository.MessageRow> {
    return live.stopReason === 'shutdown'
      ? { status: 'error', error: INTERRUPTED }
      : { status: 'stopped', error: null, finishReason: 'stop' };
  }
}

/** The kind of a provider failure, for metrics: never its text. */
function errorKind(error: unknown): 'idle' | 'http' | 'network' | 'other' {
  if (error instanceof ProviderIdleError) return 'idle';
  const e = error as { statusCode?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.statusCode === 'number') return 'http';
  if (typeof e?.cause?.code === 'string') return 'network';
  return 'other';
}

/** PostgreSQL refuses NUL in text: a provider's NUL becomes U+FFFD (one character for one, so offsets hold). */
function withoutNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}
