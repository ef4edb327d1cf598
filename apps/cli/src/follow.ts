// Following a reply over chat.stream (or sending and following it over chat.sendAndStream, one request from the
// question to the first token), surviving dropped connections: the server tags every text delta with the length
// of the text so far (its tracked id), so re-subscribing with lastEventId = the last id seen yields exactly the rest,
// and nothing is printed twice.
import { errorDataOf, type RouterInputs, type RouterOutputs } from '@parley/shared';
import { TRPCClientError } from '@trpc/client';
import type { ParleyClient } from './client.ts';

export type Message = RouterOutputs['chat']['send']['assistantMessage'];
export type Sent = RouterOutputs['chat']['send'];

/** What to follow: a reply that exists, or a question to send first (with a clientRequestId, so a retry is safe). */
export type FollowTarget =
  | { messageId: string }
  | { send: RouterInputs['chat']['send'] & { clientRequestId: string }; onStarted?: (sent: Sent) => void };

export interface FollowOptions {
  /** Called with each new piece of text, in order, never twice for the same characters. */
  onText: (text: string) => void;
  /** Called when the connection dropped and the follow is about to re-subscribe (attempt 1, 2, …). */
  onRetry?: (attempt: number, reason: unknown) => void;
  /** Consecutive failed connections before giving up (default 8; a connection that delivers data resets it). */
  maxAttempts?: number;
  /** The pause before re-subscribing (default: 250 ms doubling up to 4 s). */
  retryDelayMs?: (attempt: number) => number;
  signal?: AbortSignal;
}

type SendInput = RouterInputs['chat']['send'];
type Event = RouterOutputs['chat']['sendAndStream'] extends AsyncIterable<{ data: infer E }> ? E : never;
type Handlers = Parameters<ParleyClient['chat']['sendAndStream']['subscribe']>[1];

const defaultDelay = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), 4000);

const RETRYABLE = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/** Errors the server answered with that another attempt cannot fix (bad key, unknown message, bad input). */
function isFatal(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = errorDataOf(error)?.code;
  // A server that cannot answer now (its database is down) may well answer the next attempt.
  return code !== undefined && !RETRYABLE.has(code);
}

/** The most specific message in an error, an ErrorEvent from the EventSource, or their causes. */
export function reasonOf(error: unknown): string {
  let best = 'unknown error';
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && message && message !== 'Unknown error') best = message;
    current = (current as { cause?: unknown }).cause;
  }
  return best;
}

/** Follows a reply to its final event and resolves with the final message (status complete, stopped or error). */
export function followReply(
  api: ParleyClient,
  target: string | FollowTarget,
  options: FollowOptions,
): Promise<Message> {
  const what: FollowTarget = typeof target === 'string' ? { messageId: target } : target;
  let messageId = 'messageId' in what ? what.messageId : undefined;
  const maxAttempts = options.maxAttempts ?? 8;
  const delay = options.retryDelayMs ?? defaultDelay;
  return new Promise<Message>((resolve, reject) => {
    let printed = 0;
    let lastEventId: string | undefined;
    let failures = 0;
    let generation = 0;
    let done = false;
    let unsubscribe: () => void = () => {};
    // The EventSource's own reconnect timer does not keep Node alive; this does, until the follow settles.
    const keepAlive = setInterval(() => {}, 60_000);

    const settle = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearInterval(keepAlive);
      options.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      outcome();
    };
    const onAbort = () => settle(() => reject(options.signal?.reason ?? new Error('aborted')));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const retry = (reason: unknown) => {
      if (done) return;
      generation++; // events still in flight from the old subscription are ignored from now on
      unsubscribe();
      failures++;
      if (failures > maxAttempts) {
        const why = new Error(
          `Lost the connection while following the reply (${maxAttempts} retries): ${reasonOf(reason)}`,
        );
        return settle(() => reject(why));
      }
      options.onRetry?.(failures, reason);
      setTimeout(connect, delay(failures));
    };

    const onText = (id: string, delta: string) => {
      const end = Number(id);
      if (!Number.isSafeInteger(end)) {
        options.onText(delta); // not a length-tracked id: nothing to de-duplicate with
        return;
      }
      if (end <= printed) return;
      const start = end - delta.length;
      options.onText(delta.slice(Math.max(0, printed - start)));
      printed = end;
      lastEventId = id;
    };

    const onEvent = (id: string, data: Event) => {
      if (data.type === 'started') {
        messageId = data.assistantMessage.id;
        if ('send' in what) what.onStarted?.(data);
      } else if (data.type === 'text-delta') onText(id, data.delta);
      else settle(() => resolve(data.message));
    };

    function connect() {
      if (done) return;
      const mine = ++generation;
      const current = () => mine === generation && !done;
      const resume = lastEventId === undefined ? {} : { lastEventId };
      const handlers: Handlers = {
        onData: ({ id, data }: { id: string; data: Event }) => {
          if (!current()) return;
          failures = 0;
          onEvent(id, data);
        },
        onError: (error) => {
          if (!current()) return;
          if (isFatal(error)) settle(() => reject(error));
          else retry(error);
        },
        onConnectionStateChange: (state) => {
          if (current() && state.state === 'connecting' && state.error) retry(state.error);
        },
        onComplete: () => {
          if (current()) retry(new Error('the stream ended before the reply finished'));
        },
      };
      // Until the reply is known, (re)send: the clientRequestId makes the server send the question only once.
      const subscription =
        messageId !== undefined
          ? api.chat.stream.subscribe({ messageId, ...resume }, handlers)
          : api.chat.sendAndStream.subscribe({ ...(what as { send: SendInput }).send, ...resume }, handlers);
      unsubscribe = () => subscription.unsubscribe();
    }

    connect();
  });
}
