// Connections to the Redis that several servers share (REDIS_URL). Each user of Redis asks for the connections it
// needs by name (a blocking reader and a subscriber each need one of their own); all are closed together.
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

export interface RedisConnections {
  connect(name: string): Redis;
  /** Starts every key and channel (REDIS_PREFIX): deployments, or test runs, sharing one Redis stay apart. */
  prefix: string;
  close(): Promise<void>;
}

export function createRedisConnections(url: string, prefix: string, log: FastifyBaseLogger): RedisConnections {
  const open = new Set<Redis>();
  return {
    prefix,
    connect(name) {
      const client = new Redis(url, { connectionName: name, lazyConnect: false });
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
    async close() {
      await Promise.all([...open].map((c) => c.quit().catch(() => c.disconnect())));
      open.clear();
    },
  };
}
