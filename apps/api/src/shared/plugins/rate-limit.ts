// API rate limits (@fastify/rate-limit): per API key, per signed-in user and, for signed-out calls, per client
// address, in one-minute windows. On the shared Redis when REDIS_URL is set (every server counts together), in memory
// otherwise. Refusals are 429 with Retry-After and the x-ratelimit-* headers. Better Auth's routes have limits of
// their own (shared/auth.ts); health, readiness, metrics and the web app's files are not limited.
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../lib/env.ts';
import type { RedisConnections } from '../redis.ts';
import { requestUser } from '../request-user.ts';
import type { SessionLookup } from '../session-lookup.ts';

const LIMITED = /^\/(trpc|v1|api)(\/|$)/;

/**
 * Who a request counts against: its API key, its user (every session of theirs together), or its address. A
 * credential the lookup does not take (the gateway's bearer key, a bad key) counts by its hash.
 */
async function rateLimitKey(sessions: SessionLookup, request: FastifyRequest): Promise<string> {
  const found = await requestUser(sessions, request).catch(() => null);
  if (found) return found.via === 'apiKey' ? `k:${found.session.id}` : `u:${found.user.id}`;
  const header = request.headers['x-api-key'] ?? bearer(request.headers.authorization);
  const key = Array.isArray(header) ? header[0] : header;
  if (key) return `k:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
  return `ip:${request.ip}`;
}

function bearer(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}

export async function rateLimitPlugin(
  app: FastifyInstance,
  { config, redis, sessions }: { config: Config; redis: RedisConnections | null; sessions: SessionLookup },
) {
  const limits = config.rateLimits;
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    keyGenerator: (request) => rateLimitKey(sessions, request),
    max: (_request, key) => (key.startsWith('k:') ? limits.apiKey : key.startsWith('u:') ? limits.user : limits.ip),
    allowList: (request) => !LIMITED.test(request.url) || request.url.startsWith('/api/auth/'),
    ...(redis ? { redis: redis.connect('parley-rate-limit'), nameSpace: `${redis.prefix}rl:` } : {}),
    // Redis down: requests are served (the limits wait for it) rather than refused.
    skipOnError: true,
  });
}

// Not encapsulated: the limits apply to every route of the app.
Object.assign(rateLimitPlugin, { [Symbol.for('skip-override')]: true });
