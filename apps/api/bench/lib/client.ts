// The typed tRPC client the bench's client processes use, built like the CLI's (apps/cli/src/client.ts): batched
// HTTP for calls, SSE (httpSubscriptionLink + eventsource) for subscriptions, superjson, an API key header.
import { randomUUID } from 'node:crypto';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import type { AppRouter } from '../../src/router.ts';

export function benchClient(base: string, headers: Record<string, string>) {
  const url = `${base}/trpc`;
  const withHeaders: typeof fetch = (input, init = {}) => {
    const merged = new Headers(init.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: withHeaders },
        }),
        false: httpBatchLink({ url, transformer: superjson, maxItems: 20, headers }),
      }),
    ],
  });
}

export type BenchClient = ReturnType<typeof benchClient>;

/** An event of chat.stream (and of chat.sendAndStream after its first), as the client sees it. */
export interface ReplyEvent {
  type: string;
  delta?: string;
}

interface Handlers {
  onData(value: { id: string; data: ReplyEvent }): void;
  onError(error: unknown): void;
}

type Subscribe = (input: unknown, handlers: Handlers) => { unsubscribe(): void };

/**
 * Starts a reply and follows it: chat.sendAndStream when the server has it (one request), else chat.send then
 * chat.stream. `onEvent` gets every stream event after the start, with `started` = when the call was made.
 */
export async function sendAndFollow(
  api: BenchClient,
  oneRequest: boolean,
  input: { chatId: string; text: string },
  onEvent: (id: string, event: ReplyEvent) => boolean,
): Promise<void> {
  const chat = api.chat as unknown as Record<string, { subscribe: Subscribe }>;
  const follow = (procedure: string, subscriptionInput: unknown) =>
    new Promise<void>((resolve, reject) => {
      const subscription = chat[procedure]?.subscribe(subscriptionInput, {
        onData({ id, data }) {
          if (data.type === 'started') return;
          if (onEvent(id, data)) {
            subscription?.unsubscribe();
            resolve();
          }
        },
        onError: reject,
      });
    });
  // As the CLI and the web app send: with a clientRequestId, so a retry (or the link's reconnect) is the same send.
  const call = { ...input, clientRequestId: randomUUID() };
  if (oneRequest) return follow('sendAndStream', call);
  const { assistantMessage } = await api.chat.send.mutate(call);
  return follow('stream', { messageId: assistantMessage.id });
}
