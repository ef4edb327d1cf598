// The per-user limit on replies generating at once, on Redis: a sorted set per user of the replies (and gateway
// calls) holding a slot, scored by when their lease ends. Taking a slot is one Lua script (drop expired leases,
// count, add), so servers racing for a user's last slot cannot both get it; a crashed server's slots expire with its
// leases, and live ones are renewed with the reply's heartbeat.
import type { Redis } from 'ioredis';
import { type GenerationSlots, tooManyGenerations } from './generation-slots.ts';

const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  return 1
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

type WithAcquire = Redis & {
  parleyAcquireSlot(key: string, now: number, until: number, max: number, id: string, ttl: number): Promise<number>;
};

export function createRedisSlots(redis: Redis, prefix: string, max: number, leaseMs: number): GenerationSlots {
  const keyOf = (userId: string) => `${prefix}generating:${userId}`;
  redis.defineCommand('parleyAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE });
  const client = redis as WithAcquire;
  return {
    async acquire(userId, id) {
      const now = Date.now();
      const taken = await client.parleyAcquireSlot(keyOf(userId), now, now + leaseMs, max, id, leaseMs * 2);
      if (taken !== 1) throw tooManyGenerations(max);
    },
    async release(userId, id) {
      await redis.zrem(keyOf(userId), id);
    },
    async renew(entries) {
      if (entries.length === 0) return;
      const until = Date.now() + leaseMs;
      const pipeline = redis.pipeline();
      for (const { userId, id } of entries) {
        pipeline.zadd(keyOf(userId), 'XX', until, id);
        pipeline.pexpire(keyOf(userId), leaseMs * 2);
      }
      await pipeline.exec();
    },
  };
}
