// HTTP tests: a real server on an ephemeral port, driven by fetch with a cookie jar and the real @trpc/client.
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { FastifyInstance } from 'fastify';
import superjson from 'superjson';
import { buildApp } from '../../src/app.ts';
import type { AppRouter } from '../../src/router.ts';
import type { Database } from '../../src/shared/db/client.ts';
import type { EnvSource } from '../../src/shared/lib/env.ts';
import { testConfig } from './config.ts';
import { openTestDatabase } from './database.ts';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  database: Database;
  /** Every log line the server wrote, when started with captureLogs. */
  logs: string[];
  close(): Promise<void>;
}

export async function startServer(options: { env?: EnvSource; captureLogs?: boolean } = {}): Promise<TestServer> {
  const port = await freePort();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = testConfig({
    PORT: String(port),
    ...(options.captureLogs ? { LOG_LEVEL: 'trace' } : {}),
    ...options.env,
  });
  const database = await openTestDatabase();
  const app = await buildApp(config, { database, logStream });
  await app.listen({ host: '127.0.0.1', port });
  return { app, url: `http://127.0.0.1:${port}`, database, logs, close: () => app.close() };
}

/** A port nothing listens on now (PORT=0 would make the public URL, and so the trusted origin, wrong). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** One browser-like client: keeps cookies, sends the server's origin, talks to Better Auth and to tRPC. */
export class Client {
  readonly cookies = new Map<string, string>();
  /** Every response body this client received, as text (read from a clone). */
  readonly bodies: Promise<string>[] = [];
  readonly baseUrl: string;
  readonly userAgent: string;

  constructor(baseUrl: string, userAgent = 'parley-test') {
    this.baseUrl = baseUrl;
    this.userAgent = userAgent;
  }

  fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('origin', this.baseUrl);
    headers.set('user-agent', this.userAgent);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const url = typeof input === 'string' && input.startsWith('/') ? `${this.baseUrl}${input}` : input;
    const response = await fetch(url, { ...init, headers });
    // A stream the client aborts (a subscription it leaves) rejects; its text so far does not matter then.
    this.bodies.push(
      response
        .clone()
        .text()
        .catch(() => ''),
    );
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  };

  postJson(path: string, body: unknown): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** The typed tRPC client over batched HTTP, subscriptions over SSE (the way the web app and CLI call the API). */
  trpc(batch = true) {
    const url = `${this.baseUrl}/trpc`;
    const calls = batch
      ? httpBatchLink({ url, transformer: superjson, fetch: this.fetch, maxItems: 20 })
      : httpLink({ url, transformer: superjson, fetch: this.fetch });
    const subscriptions = httpSubscriptionLink({
      url,
      transformer: superjson,
      EventSource,
      eventSourceOptions: { fetch: this.fetch },
    });
    return createTRPCClient<AppRouter>({
      links: [splitLink({ condition: (op) => op.type === 'subscription', true: subscriptions, false: calls })],
    });
  }
}

/** A reply's event as a follower sees it over SSE. */
export type ReplyEvent = {
  id?: string;
  data: { type: string; delta?: string; message?: { status: string; text: string; error: string | null } };
};

/** Follows a reply over SSE; stops after `take` deltas (a client going away) or at the final event. */
export function followReply(
  client: Client,
  messageId: string,
  options: { lastEventId?: string; take?: number } = {},
): Promise<ReplyEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ReplyEvent[] = [];
    let deltas = 0;
    const subscription = client.trpc().chat.stream.subscribe(
      { messageId, lastEventId: options.lastEventId },
      {
        onData(event) {
          events.push(event as ReplyEvent);
          const done = event.data.type !== 'text-delta' || (options.take !== undefined && ++deltas >= options.take);
          if (done) {
            subscription.unsubscribe();
            resolve(events);
          }
        },
        onError: reject,
      },
    );
  });
}

/** The text the deltas among `events` carry, in order. */
export const textOf = (events: ReplyEvent[]) =>
  events
    .filter((e) => e.data.type === 'text-delta')
    .map((e) => e.data.delta)
    .join('');
