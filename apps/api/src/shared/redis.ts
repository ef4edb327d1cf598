// Connections to the Redis that several servers share (REDIS_URL). Each user of Redis asks for the connections it
// needs by name (a blocking reader and a subscriber each need one of their own); all are closed together.
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

export interface RedisConnections {
  connect(name: string): Redis;
  /** Resolves once Redis answers; rejects with a one-line reason (no URL, no password) after `timeoutMs`. */
  check(timeoutMs: number): Promise<void>;
  /** Starts every key and channel (REDIS_PREFIX): deployments, or test runs, sharing one Redis stay apart. */
  prefix: string;
  close(): Promise<void>;
}

export function createRedisConnections(url: string, prefix: string, log: FastifyBaseLogger): RedisConnections {
  const open = new Set<Redis>();
  return {
    prefix,
    connect(name) {
      // A command waits for a lost connection to come back for a couple of retries, then fails (a send answers 503
      // instead of hanging while Redis is away).
      const client = new Redis(url, { connectionName: name, lazyConnect: false, maxRetriesPerRequest: 2 });
      // ioredis reconnects by itself; without a listener an error event would crash the process.
      let warned = false;
      client.on('error', (error: Error) => {
        if (warned) return;
        warned = true;
        log.warn({ err: { message: error.message }, connection: name }, 'Redis connection failed; reconnecting');
      });
      client.on('ready', () => {
        warned = false;
      });
      open.add(client);
      return client;
    },
    async check(timeoutMs) {
      const probe = new Redis(url, {
        connectionName: 'parley-check',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // The connection's own error says why (refused, unknown host); the rejected connect() only that it closed.
      let cause: unknown;
      probe.on('error', (error: unknown) => {
        cause ??= error;
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe.connect().then(() => probe.ping()),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (error) {
        throw new Error(`cannot reach Redis at ${redisAddress(url)} (REDIS_URL): ${reason(cause ?? error)}`);
      } finally {
        clearTimeout(timer);
        probe.disconnect();
      }
    },
    async close() {
      await Promise.all([...open].map((c) => c.quit().catch(() => c.disconnect())));
      open.clear();
    },
  };
}

/** host:port of a Redis URL, without its password. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return 'the address in REDIS_URL';
  }
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  const message = error instanceof Error ? error.message : String(error);
  // Redis' own answers (NOAUTH, WRONGPASS) carry no secret; a URL would.
  return message.replace(/rediss?:\/\/\S+/g, 'REDIS_URL');
}
