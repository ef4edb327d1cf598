import { type Config, type EnvSource, loadConfig } from '../../src/shared/lib/env.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  AUTH_SECRET: 'test-secret-that-is-long-enough-for-better-auth',
  ENCRYPTION_KEYS: `test1:${Buffer.alloc(32, 7).toString('base64')}`,
  LOG_LEVEL: 'silent',
  AUTH_RATE_LIMIT_MAX: '1000',
} satisfies EnvSource;

export function testConfig(overrides: EnvSource = {}): Config {
  return loadConfig({ ...TEST_ENV, ...overrides });
}
