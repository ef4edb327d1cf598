// The Better Auth instance: email and password, sessions in the database, rate limits always on.
import { AsyncLocalStorage } from 'node:async_hooks';
import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { isAPIError } from 'better-auth/api';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from './db/client.ts';
import * as schema from './db/schema/index.ts';
import type { Config } from './lib/env.ts';
import { isDatabaseUnavailable } from './lib/errors.ts';
import { hashPassword, verifyPassword } from './lib/password.ts';
import { createSessionLookup } from './session-lookup.ts';

/**
 * One per Better Auth request (the auth plugin runs the handler inside it): Better Auth answers any error with a
 * plain 500, so its error hook marks a database that does not answer here, and the plugin answers 503 instead.
 */
export const authRequestState = new AsyncLocalStorage<{ databaseUnavailable: boolean }>();

/** Set by the auth plugin from Fastify's view of the client address; any client-sent value is replaced. */
export const CLIENT_IP_HEADER = 'x-parley-client-ip';

export interface AuthOptions {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
}

const SESSION_AGES = { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 };

export function createAuth({ config, db, log }: AuthOptions) {
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
    },
    user: {
      additionalFields: {
        role: { type: 'string', required: false, defaultValue: 'user', input: false },
      },
    },
    session: SESSION_AGES,
    rateLimit: {
      enabled: true,
      storage: 'memory',
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
    onAPIError: {
      onError(error) {
        if (isDatabaseUnavailable(error)) {
          const state = authRequestState.getStore();
          if (state) state.databaseUnavailable = true;
          log.warn({ source: 'better-auth', err: error }, 'the database does not answer');
          return;
        }
        // What Better Auth itself logs when no hook is given: unexpected errors, not refusals (4xx).
        if (!isAPIError(error) || error.status === 'INTERNAL_SERVER_ERROR') {
          log.error({ source: 'better-auth', err: error }, 'auth request failed');
        }
      },
    },
    telemetry: { enabled: false },
    logger: {
      level: 'warn',
      log(level, message, ...args) {
        log[level]({ source: 'better-auth', args: args.length > 0 ? args : undefined }, message);
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

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
