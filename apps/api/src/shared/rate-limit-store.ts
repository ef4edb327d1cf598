// A fixed-window counter on Redis for Better Auth's rate limiter (its customStorage `consume`): the check and the
// increment are one script, so servers sharing the Redis share one limit and concurrent requests cannot overrun it.
import type { Redis } from 'ioredis';

const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

type WithConsume = Redis & { parleyConsume(key: string, windowMs: number): Promise<[number, number]> };

export function createRedisRateLimitStore(redis: Redis, prefix: string) {
  redis.defineCommand('parleyConsume', { numberOfKeys: 1, lua: CONSUME });
  const client = redis as WithConsume;
  return {
    async consume(key: string, rule: { window: number; max: number }) {
      const [count, ttlMs] = await client.parleyConsume(`${prefix}${key}`, rule.window * 1000);
      if (count <= rule.max) return { allowed: true, retryAfter: null };
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(ttlMs / 1000)) };
    },
  };
}
