// Builds the tRPC context of one request from its headers: the Better Auth session, looked up once.
import type { FastifyBaseLogger } from 'fastify';
import type { ChatRuntime } from '../modules/chat/index.ts';
import type { Outbound } from '../modules/providers/index.ts';
import type { Auth } from './auth.ts';
import type { Db } from './db/client.ts';
import type { Config } from './lib/env.ts';
import { AppError } from './lib/errors.ts';
import type { Context, SessionUser } from './trpc.ts';

export interface ContextDeps {
  auth: Auth;
  db: Db;
  config: Config;
  outbound: Outbound;
  chat: ChatRuntime;
}

export interface RequestInfo {
  headers: Headers;
  requestId: string;
  log: FastifyBaseLogger;
  /** The HTTP method, when the call came over HTTP (createCaller has none). */
  method?: string;
}

export function createContextBuilder({ auth, db, config, outbound, chat }: ContextDeps) {
  const trusted = new Set(config.trustedOrigins);
  return async function buildContext({ headers, requestId, log, method }: RequestInfo): Promise<Context> {
    const base = { requestId, log, db, auth, config, outbound, chat, user: null, session: null };
    try {
      const { found, via } = await findSession(auth, headers);
      if (!found) return base;
      // API.md: a browser's cookie-authenticated write carries a trusted Origin (a forged cross-site call does not).
      if (via === 'cookie' && method && method !== 'GET' && !trusted.has(headers.get('origin') ?? '')) {
        return { ...base, contextError: new AppError('FORBIDDEN', CROSS_SITE) };
      }
      return {
        ...base,
        user: toSessionUser(found.user),
        session: { id: found.session.id, expiresAt: found.session.expiresAt },
      };
    } catch (error) {
      // Thrown again inside the procedure, where the error carries this request's id.
      return { ...base, contextError: credentialError(error) ?? error };
    }
  };
}

function toSessionUser(user: {
  id: string;
  email: string;
  name: string;
  image?: string | null;
  role?: string | null;
  createdAt: Date;
}): SessionUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    image: user.image ?? null,
    role: user.role === 'admin' ? 'admin' : 'user',
    createdAt: user.createdAt,
  };
}

/**
 * The session cookie first, then the x-api-key header (API.md's order): a browser's cookie is not overridden by a
 * stray key, and a script's key still works when a cookie is stale. Each lookup is one query.
 */
async function findSession(auth: Auth, headers: Headers) {
  const apiKey = headers.get(API_KEY_HEADER);
  // No credentials at all: nothing to look up (Better Auth's call costs more than the whole rest of a small query).
  if (!apiKey && !headers.has('cookie')) return { found: null, via: 'cookie' as const };
  if (!apiKey) return { found: await auth.api.getSession({ headers }), via: 'cookie' as const };
  if (headers.has('cookie')) {
    const withoutKey = new Headers(headers);
    withoutKey.delete(API_KEY_HEADER);
    const found = await auth.api.getSession({ headers: withoutKey });
    if (found) return { found, via: 'cookie' as const };
  }
  const withoutCookie = new Headers(headers);
  withoutCookie.delete('cookie');
  return { found: await auth.api.getSession({ headers: withoutCookie }), via: 'apiKey' as const };
}

const CROSS_SITE = 'Refused a cookie-authenticated write whose Origin header is missing or not a trusted origin';

const API_KEY_HEADER = 'x-api-key';

/** Better Auth refuses a bad, expired or revoked API key (401/403) or one over its rate limit (429). */
function credentialError(error: unknown): AppError | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 401 || status === 403) {
    return new AppError('UNAUTHORIZED', 'The API key is invalid, expired or revoked', { cause: error });
  }
  if (status === 429) return new AppError('RATE_LIMITED', 'This API key made too many requests; try again later');
  return undefined;
}
