// The generation engine: runs each reply apart from any request, publishes its deltas, checkpoints its text to the
// database (one write in flight at most, every CHECKPOINT_INTERVAL_MS), and stores how it ended. A reply belongs to
// the server: nobody needs to listen for it to complete.
import { type LanguageModel, type ModelMessage, streamText } from 'ai';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../shared/db/client.ts';
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
  /** A clear, key-free reason for a failed generation. */
  describeError(error: unknown, partialText: string): string;
  /** Work to do once the reply is complete (not stopped or failed), after its final event went out. */
  onComplete?(message: Message): Promise<void>;
}

interface Live {
  request: GenerationRequest;
  text: string;
  reasoning: string;
  dirty: boolean;
  lastWrite: number;
  writing: Promise<void> | null;
  abort: AbortController;
  stopReason: 'user' | 'shutdown' | null;
  done: Promise<Message | undefined>;
}

export interface EngineOptions {
  db: Db;
  hub: EventHub;
  log: FastifyBaseLogger;
  checkpointIntervalMs: number;
  heartbeatMs: number;
}

export const INTERRUPTED = 'interrupted: the server stopped during this reply';

export class GenerationEngine {
  readonly #live = new Map<string, Live>();
  /** Follow-up work (titles) still running; shutdown waits for it. */
  readonly #after = new Set<Promise<void>>();
  readonly #options: EngineOptions;

  constructor(options: EngineOptions) {
    this.#options = options;
  }

  /** Replies this user has generating now. */
  countFor(userId: string): number {
    let count = 0;
    for (const live of this.#live.values()) if (live.request.userId === userId) count++;
    return count;
  }

  /** The text of a live reply so far, or undefined when it is not generating here. */
  snapshot(messageId: string): { text: string } | undefined {
    const live = this.#live.get(messageId);
    return live ? { text: live.text } : undefined;
  }

  start(request: GenerationRequest): void {
    let resolveDone: (message: Message | undefined) => void = () => {};
    const live: Live = {
      request,
      text: '',
      reasoning: '',
      dirty: false,
      lastWrite: Date.now(),
      writing: null,
      abort: new AbortController(),
      stopReason: null,
      done: new Promise((resolve) => {
        resolveDone = resolve;
      }),
    };
    this.#live.set(request.messageId, live);
    this.#run(live).then(resolveDone, (error: unknown) => {
      this.#options.log.error({ err: error, messageId: request.messageId }, 'generation failed to finish');
      this.#live.delete(request.messageId);
      resolveDone(undefined);
    });
  }

  /** Aborts the upstream call; the reply keeps its partial text as `stopped`. Resolves with the stored reply. */
  async stop(messageId: string): Promise<Message | undefined> {
    const live = this.#live.get(messageId);
    if (!live) return undefined;
    live.stopReason ??= 'user';
    live.abort.abort();
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

  /** Closes every live reply as interrupted (the server is shutting down). */
  async shutdown(): Promise<void> {
    const lives = [...this.#live.values()];
    for (const live of lives) {
      live.stopReason ??= 'shutdown';
      live.abort.abort();
    }
    await Promise.all(lives.map((l) => l.done));
    await Promise.all(this.#after);
  }

  async #run(live: Live): Promise<Message | undefined> {
    const { request } = live;
    const timer = setInterval(() => this.#tick(live), this.#options.checkpointIntervalMs);
    let outcome: Partial<repository.MessageRow>;
    try {
      outcome = await this.#generate(live);
    } catch (error) {
      outcome = live.abort.signal.aborted
        ? this.#abortedOutcome(live)
        : { status: 'error', error: request.describeError(error, live.text) };
    } finally {
      clearInterval(timer);
    }
    await live.writing;
    const row = await repository.updateMessage(this.#options.db, request.messageId, {
      ...outcome,
      text: live.text,
      parts: replyParts(live.text, live.reasoning),
    });
    this.#live.delete(request.messageId);
    if (!row) return undefined; // the chat was deleted meanwhile
    await repository.updateChat(this.#options.db, request.userId, request.chatId, {});
    const message = toMessage(row);
    this.#options.hub.publish(request.messageId, {
      type: message.status === 'error' ? 'error' : 'finish',
      message,
    });
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
    const { request } = live;
    const result = streamText({
      model: request.model,
      system: request.system,
      messages: request.messages,
      abortSignal: live.abort.signal,
      maxRetries: 1,
      // Errors arrive as 'error' parts below; the default handler would also print them to the console.
      onError: () => {},
    });
    let finish: { finishReason: string; inputTokens: number | null; outputTokens: number | null } | null = null;
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        live.text += part.text;
        live.dirty = true;
        this.#options.hub.publish(request.messageId, { type: 'delta', delta: part.text, end: live.text.length });
      } else if (part.type === 'reasoning-delta') {
        live.reasoning += part.text;
        live.dirty = true;
      } else if (part.type === 'error') {
        throw part.error;
      } else if (part.type === 'finish') {
        finish = {
          finishReason: part.finishReason,
          inputTokens: part.totalUsage.inputTokens ?? null,
          outputTokens: part.totalUsage.outputTokens ?? null,
        };
      }
    }
    if (live.abort.signal.aborted || !finish) return this.#abortedOutcome(live);
    return { status: 'complete', error: null, ...finish };
  }

  #abortedOutcome(live: Live): Partial<repository.MessageRow> {
    return live.stopReason === 'shutdown'
      ? { status: 'error', error: INTERRUPTED }
      : { status: 'stopped', error: null, finishReason: 'stop' };
  }

  /** Every interval: write the text if it changed, or a heartbeat now and then; never two writes at once. */
  #tick(live: Live): void {
    if (live.writing) return;
    const now = Date.now();
    if (!live.dirty && now - live.lastWrite < this.#options.heartbeatMs) return;
    live.dirty = false;
    live.lastWrite = now;
    live.writing = repository
      .updateMessage(this.#options.db, live.request.messageId, {
        text: live.text,
        parts: replyParts(live.text, live.reasoning),
      })
      .then(
        () => {},
        (error: unknown) => this.#options.log.warn({ err: error }, 'checkpoint of a streaming reply failed'),
      )
      .finally(() => {
        live.writing = null;
      });
  }
}
