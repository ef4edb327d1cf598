// The typed tRPC client the CLI and its scripts use: calls over batched HTTP, chat.stream over SSE.

import { type AppRouter, MAX_BATCH_SIZE } from '@parley/shared';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** The server's base URL, such as http://127.0.0.1:3000 (no /trpc). */
  url: string;
  /** Headers sent with every call and every subscription: `x-api-key`, or `cookie` and `origin` for a session. */
  headers: Record<string, string>;
  /** The fetch to build on (tests wrap it); the global fetch by default. */
  fetch?: FetchLike;
}

export function createParleyClient(options: ClientOptions) {
  const url = `${options.url}/trpc`;
  const baseFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const fetchWithHeaders: FetchLike = (input, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(options.headers)) headers.set(name, value);
    return baseFetch(input, { ...init, headers });
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: fetchWithHeaders },
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          // The server accepts at most this many calls in one batch (TRPC_MAX_BATCH_SIZE's default).
          maxItems: MAX_BATCH_SIZE,
          headers: options.headers,
          fetch: baseFetch,
        }),
      }),
    ],
  });
}

export type ParleyClient = ReturnType<typeof createParleyClient>;

/** A client that authenticates with an API key (header `x-api-key`), the way scripts and the CLI call the API. */
export function apiKeyClient(url: string, key: string, baseFetch?: FetchLike): ParleyClient {
  return createParleyClient({ url, headers: { 'x-api-key': key }, ...(baseFetch ? { fetch: baseFetch } : {}) });
}

/**
 * The server's base URL from what a person typed: http(s) only, no trailing slash, and no `/trpc` (people paste the
 * tRPC endpoint too). Throws a readable error for anything else.
 */
export function normalizeServerUrl(input: string): string {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error(`Not a URL: "${input}" (expected something like http://127.0.0.1:3000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`Not an http(s) URL: "${input}"`);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/trpc$/, '');
  return `${parsed.origin}${path}`;
}
