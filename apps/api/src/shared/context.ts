// Builds the tRPC context of one request from its headers: who is calling, looked up once (session-lookup.ts).
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Outbound } from '../modules/providers/index.ts';
import type { Replies } from '../modules/replies/index.ts';
import type { Auth } from './auth.ts';
import type { Db } from './db/client.ts';
import type { Config } from './lib/env.ts';
import { AppError } from './lib/errors.ts';
import { type HeaderReader, headerReader } from './lib/headers.ts';
import { requestUser } from './request-user.ts';
import { CredentialError, type Found, type LookupUser, type SessionLookup } from './session-lookup.ts';
import type { Context, SessionUser } from './trpc.ts';

export interface ContextDeps {
  auth: Auth;
  /** Resolves a request's user from its cookie or API key (one prepared query). */
  sessions: SessionLookup;
  db: Db;
  config: Config;
  outbound: Outbound;
  replies: Replies;
}

export interface RequestInfo {
  headers: HeaderReader;
  /** The caller, when already looked up for this request (request-user.ts); else looked up from the headers. */
  user?: Promise<Found | null>;
  requestId: string;
  log: FastifyBaseLogger;
  /** The HTTP method, when the call came over HTTP (createCaller has none). */
  method?: string;
}

export function createContextBuilder({ auth, sessions, db, config, outbound, replies }: ContextDeps) {
  const trusted = new Set(config.trustedOrigins);
  return async function buildContext({ headers, requestId, log, method, user }: RequestInfo): Promise<Context> {
    const base = { requestId, log, db, auth, config, outbound, replies, user: null, session: null };
    try {
      const found = await (user ?? sessions.resolve(headers));
      if (!found) return base;
      // API.md: a browser's cookie-authenticated write carries a trusted Origin (a forged cross-site call does not).
      // A GET from another site is refused too unless its Origin is trusted: subscriptions are GETs, and
      // chat.sendAndStream writes (a cross-site link or page could otherwise send as the user).
      if (found.via === 'cookie' && method && !sameSiteOrTrusted(method, headers, trusted)) {
        return { ...base, contextError: new AppError('FORBIDDEN', CROSS_SITE) };
      }
      return { ...base, user: toSessionUser(found.user), session: found.session };
    } catch (error) {
      // Thrown again inside the procedure, where the error carries this request's id.
      return { ...base, contextError: credentialError(error) ?? error };
    }
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, set with the request's context (createRequestContext), for its log line. */
    userId: string | null;
  }
}

/**
 * The context of a Fastify request (tRPC, REST, the export route): its headers read in place, and the user, once
 * known, named on the request for its log line (plugins/request-log.ts).
 */
export function createRequestContext(deps: ContextDeps) {
  const buildContext = createContextBuilder(deps);
  return async function contextOf(request: FastifyRequest): Promise<Context> {
    const ctx = await buildContext({
      headers: headerReader(request.headers),
      user: requestUser(deps.sessions, request),
      requestId: request.id,
      log: request.log,
      method: request.method,
    });
    request.userId = ctx.user?.id ?? null;
    return ctx;
  };
}

function toSessionUser(user: LookupUser): SessionUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    image: user.image,
    role: user.role === 'admin' ? 'admin' : 'user',
    createdAt: user.createdAt,
  };
}

const CROSS_SITE =
  'Refused a cookie-authenticated call from another site, or a write whose Origin header is missing or not trusted';

/**
 * Writes need a trusted Origin. A GET needs one only when the browser says it came from another site
 * (`Sec-Fetch-Site`): the web app's own requests, and clients that are not browsers, send no such claim.
 */
function sameSiteOrTrusted(method: string, headers: HeaderReader, trusted: Set<string>): boolean {
  if (trusted.has(headers.get('origin') ?? '')) return true;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const site = headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}

/** A bad, expired or revoked API key, or one over its rate limit. */
function credentialError(error: unknown): AppError | undefined {
  if (!(error instanceof CredentialError)) return undefined;
  if (error.reason === 'rate-limited') {
    return new AppError('RATE_LIMITED', 'This API key made too many requests; try again later');
  }
  return new AppError('UNAUTHORIZED', 'The API key is invalid, expired or revoked');
}
