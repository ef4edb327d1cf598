// The Better Auth instance: email and password, sessions in the database, rate limits always on.
import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/client.ts';
import * as schema from './db/schema/index.ts';
import { createAttemptCounter, emailKey, passwordProblem } from './lib/account-guard.ts';
import type { Config } from './lib/env.ts';
import { hashPassword, needsRehash, verifyPassword } from './lib/password.ts';
import { createRedisRateLimitStore } from './rate-limit-store.ts';
import type { RedisConnections } from './redis.ts';
import { createSessionLookup } from './session-lookup.ts';

/** Set by the auth plugin from Fastify's view of the client address; any client-sent value is replaced. */
export const CLIENT_IP_HEADER = 'x-parley-client-ip';

export interface AuthOptions {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  /** Shared with the other servers: Better Auth's rate limits are counted there. */
  redis?: RedisConnections | null;
}

const SESSION_AGES = { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 };

export function createAuth({ config, db, log, redis }: AuthOptions) {
  const rule = { window: config.authRateLimit.windowSeconds, max: config.authRateLimit.max };
  const adminEmails = new Set(config.adminEmails);
  return betterAuth({
    appName: 'Parley',
    baseURL: config.publicUrl,
    basePath: '/api/auth',
    secret: config.authSecret,
    trustedOrigins: config.trustedOrigins,
    database: drizzleAdapter(db, { provider: 'pg', schema, transaction: true }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
      password: { hash: hashPassword, verify: verifyPassword },
      // A reset (like a change, below) ends every session: whoever knew the old password is signed out.
      revokeSessionsOnPasswordReset: true,
    },
    hooks: accountHooks(config),
    user: {
      additionalFields: {
        role: { type: 'string', required: false, defaultValue: 'user', input: false },
      },
    },
    session: SESSION_AGES,
    rateLimit: {
      enabled: true,
      storage: 'memory',
      // Several servers count together on Redis; one server counts in memory.
      ...(redis
        ? { customStorage: createRedisRateLimitStore(redis.connect('parley-auth-limits'), `${redis.prefix}auth:`) }
        : {}),
      window: 60,
      max: 300,
      customRules: { '/sign-up/email': rule, '/sign-in/email': rule },
    },
    advanced: {
      database: { joins: true },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      useSecureCookies: config.publicUrl.startsWith('https://'),
      // Said explicitly: Better Auth turns origin checks off by itself when it sees NODE_ENV=test.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    plugins: [
      apiKey({
        // An x-api-key header yields a session, so every procedure works for scripts exactly as for browsers.
        enableSessionForAPIKeys: true,
        defaultPrefix: 'parley_',
        startingCharactersConfig: { shouldStore: true, charactersLength: 11 },
        keyExpiration: { defaultExpiresIn: null, minExpiresIn: 1, maxExpiresIn: 365 },
        rateLimit: { enabled: true, timeWindow: 60_000, maxRequests: config.apiKeyRateLimitPerMinute },
      }),
    ],
    databaseHooks: {
      user: {
        create: {
          async before(user) {
            return { data: { ...user, role: adminEmails.has(user.email.toLowerCase()) ? 'admin' : 'user' } };
          },
        },
      },
    },
    // An unexpected error (the database down, a bug) is thrown out of the handler instead of printed to stderr by
    // better-call with the request's fields and answered as a bare 500: the auth plugin lets it reach the app's error
    // handler, which answers 503 (database) or 500 and logs it once. Refusals (APIError, 4xx) still become answers.
    onAPIError: { throw: true },
    telemetry: { enabled: false },
    logger: {
      level: 'warn',
      // Better Auth writes input into some messages ("Invalid callbackURL: <value>") and args: a line keeps the
      // message's head and an error (lib/logger.ts's allowlist), never the rest (test/secrets-in-logs.test.ts).
      log(level, message, ...args) {
        const err = args.find((arg) => arg instanceof Error);
        log[level]({ source: 'better-auth', ...(err ? { err } : {}) }, String(message).replace(/:\s[\s\S]*$/, ''));
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const NEW_PASSWORD_FIELD: Record<string, string> = {
  '/sign-up/email': 'password',
  '/change-password': 'newPassword',
  '/reset-password': 'newPassword',
  '/set-password': 'newPassword',
};

/** The only moment the password is known: a hash below today's parameters (or scrypt) is replaced at sign-in. */
async function upgradeHash(
  adapter: {
    findAccounts(userId: string): Promise<{ providerId: string; password?: string | null }[]>;
    updatePassword(userId: string, password: string): Promise<void>;
  },
  userId: string,
  password: string,
) {
  const credential = (await adapter.findAccounts(userId)).find((a) => a.providerId === 'credential');
  if (credential?.password && needsRehash(credential.password)) {
    await adapter.updatePassword(userId, await hashPassword(password));
  }
}

function refuseWeakPassword(path: string, body: Record<string, unknown>, sessionEmail: unknown) {
  const field = NEW_PASSWORD_FIELD[path];
  const password = field ? body[field] : undefined;
  if (typeof password !== 'string') return;
  const problem = passwordProblem(password, { email: body.email ?? sessionEmail });
  if (problem) throw new APIError('BAD_REQUEST', { message: problem, code: 'PASSWORD_NOT_ALLOWED' });
}

/**
 * What Better Auth leaves to us (lib/account-guard.ts): common passwords refused wherever a password is chosen; a
 * password change always ends the other sessions (revokeOtherSessions forced, whatever the client asks); failed
 * sign-ins counted per account, and sign-ups per email, besides Better Auth's per-address limit. A locked account
 * opens again when its window passes (AUTH_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS); refused attempts are not counted,
 * so an attacker cannot extend the lock, and the answer is the same whether the account exists or not.
 */
function accountHooks(config: Config) {
  const limit = { max: config.authAccountRateLimit.max, windowMs: config.authAccountRateLimit.windowSeconds * 1000 };
  const failedSignIns = createAttemptCounter(limit);
  const signUps = createAttemptCounter(limit);
  const tooMany = (message: string) => new APIError('TOO_MANY_REQUESTS', { message, code: 'TOO_MANY_ATTEMPTS' });
  return {
    before: createAuthMiddleware(async (ctx) => {
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      refuseWeakPassword(ctx.path, body, ctx.context.session?.user.email);
      const email = emailKey(body.email);
      if (ctx.path === '/sign-in/email' && email && failedSignIns.exhausted(email)) {
        throw tooMany('Too many failed sign-ins for this account; try again in a few minutes');
      }
      if (ctx.path === '/sign-up/email' && email) {
        if (signUps.exhausted(email)) throw tooMany('Too many sign-ups for this email; try again in a few minutes');
        signUps.record(email);
      }
      if (ctx.path === '/change-password') return { context: { body: { ...body, revokeOtherSessions: true } } };
    }),
    after: createAuthMiddleware(async (ctx) => {
      if (ctx.path !== '/sign-in/email') return;
      const email = emailKey((ctx.body as Record<string, unknown> | undefined)?.email);
      if (!email) return;
      const returned = ctx.context.returned;
      if (isAPIError(returned)) {
        if (returned.status === 'UNAUTHORIZED') failedSignIns.record(email);
        return;
      }
      failedSignIns.reset(email);
      const userId = (returned as { user?: { id?: unknown } } | undefined)?.user?.id;
      const password = (ctx.body as Record<string, unknown>).password;
      if (typeof userId === 'string' && typeof password === 'string') {
        await upgradeHash(ctx.context.internalAdapter, userId, password).catch((error: unknown) =>
          ctx.context.logger.warn('could not upgrade a password hash', error),
        );
      }
    }),
  };
}

/** How each request finds its user: Better Auth's sessions and keys, read with one prepared query (session-lookup.ts). */
export function createSessions({ auth, config, db }: { auth: Auth; config: Config; db: Db }) {
  const secure = config.publicUrl.startsWith('https://');
  return createSessionLookup({
    db,
    secret: config.authSecret,
    cookieName: `${secure ? '__Secure-' : ''}better-auth.session_token`,
    expiresInSeconds: SESSION_AGES.expiresIn,
    updateAgeSeconds: SESSION_AGES.updateAge,
    apiKeyRateLimitPerMinute: config.apiKeyRateLimitPerMinute,
    async refresh(cookie) {
      const found = await auth.api.getSession({ headers: new Headers({ cookie }) });
      if (!found) return null;
      const { user } = found;
      return {
        user: { ...user, image: user.image ?? null, role: user.role ?? 'user' },
        session: { id: found.session.id, expiresAt: found.session.expiresAt },
      };
    },
  });
}
