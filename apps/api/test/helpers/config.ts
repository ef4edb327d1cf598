import { randomUUID } from 'node:crypto';
import { type Config, type EnvSource, loadConfig } from '../../src/shared/lib/env.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  AUTH_SECRET: 'test-secret-that-is-long-enough-for-better-auth',
  ENCRYPTION_KEYS: `test1:${Buffer.alloc(32, 7).toString('base64')}`,
  LOG_LEVEL: 'silent',
  AUTH_RATE_LIMIT_MAX: '1000',
  USER_RATE_LIMIT_PER_MINUTE: '1000000',
  IP_RATE_LIMIT_PER_MINUTE: '1000000',
  REPLY_DRAIN_MS: '0',
} satisfies EnvSource;

/**
 * TEST_REDIS_URL runs the suite with Redis (CI runs it with and without); each config gets a prefix of its own, so
 * test files sharing the Redis never see each other's keys.
 */
export function testConfig(overrides: EnvSource = {}): Config {
  const redis = process.env.TEST_REDIS_URL
    ? { REDIS_URL: process.env.TEST_REDIS_URL, REDIS_PREFIX: `test-${randomUUID()}:` }
    : {};
  return loadConfig({ ...TEST_ENV, ...redis, ...overrides });
}
